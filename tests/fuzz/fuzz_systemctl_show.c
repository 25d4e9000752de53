/* libFuzzer target for what we read from `systemctl show UNIT` (Key=value lines, quoted
 * Environment= words): any bytes must parse, every variable found must be found again by
 * name, and the Immich URL is either made or refused with a reason. Build with
 * `make fuzz-systemctl-show`; `make check` runs the corpus in
 * tests/fuzz/systemctl-show-corpus through corpus_driver.c instead. */
#include "common.h"
#include "discover/inspect.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_env(const struct unit_info *ui)
{
    for (size_t i = 0; i < ui->env_count; i++) {
        const char *eq = strchr(ui->env[i], '=');
        if (!eq)
            continue;
        char *key = xstrndup(ui->env[i], (size_t)(eq - ui->env[i]));
        if (!unit_env(ui, key))
            abort(); /* a variable found is found again by name */
        free(key);
    }
    struct strbuf why = {0};
    char *url = unit_immich_url(ui, &why);
    if (!url && why.len == 0)
        abort(); /* a refused URL says why */
    if (url && strncmp(url, "http://", 7) != 0)
        abort();
    free(url);
    sb_free(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the parser reads a C string: the input up to its first NUL */
    char *text = xstrndup((const char *)data, size);
    struct unit_info ui;
    unit_info_parse(&ui, text);
    if (ui.nix_version && !ui.exec_path)
        abort(); /* the version is that of the command found */
    check_env(&ui);
    unit_info_free(&ui);
    free(text);
    return 0;
}
