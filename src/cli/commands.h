/* Stage subcommands: `immich-migrate STAGE [ARGS]`. Each runs one stage alone (scripts, tests,
 * benchmarks) and returns the process exit status. The table in commands.c lists them;
 * adding a subcommand is one declaration here and one line there. */
#ifndef IM_CLI_COMMANDS_H
#define IM_CLI_COMMANDS_H

struct command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
    const char *summary;               /* N_() marked, translated when shown */
};

const struct command *command_find(const char *name);
const struct command *command_list(void); /* terminated by an entry with name == NULL */

int cmd_import(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_fixup(int argc, char **argv);
int cmd_prepare_db(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_verify_backup(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_chown(int argc, char **argv);
int cmd_restore_owners(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
