/* Artifacts: the results a stage hands on to later ones (the dump's path, what discovery
 * found, ...). One list, STAGE_ARTIFACTS, names them all with their type; every artifact has
 * a typed accessor pair generated from it:
 *   TEXT, OUTPUT  char *artifact_KEY(ctx) (a copy: caller frees; NULL when unset),
 *                 artifact_set_KEY(ctx, const char *)
 *   FLAG          bool artifact_KEY(ctx) (false when unset), artifact_set_KEY(ctx, bool)
 *   MOUNTS        int artifact_KEY(ctx, struct ext_mounts *out, err) (1 set, 0 unset, -1
 *                 malformed with err; out is the caller's to free), artifact_set_KEY(ctx, const *)
 *   VERIFY        bool artifact_KEY(ctx, struct verify_result *out) (false when unset or
 *                 malformed: out zeroed), artifact_set_KEY(ctx, const *)
 * Values live in the journal (ctx->journal), so a resumed run finds them; a context without a
 * journal (a stage run alone) keeps them in its own memory until stage_ctx_free. Each type
 * has one encoder and decoder to the journal's text; the texts are those of 0.1.0 (a journal
 * written before resumes), and nothing but this module spells an artifact's name. */
#ifndef IM_STAGES_ARTIFACT_H
#define IM_STAGES_ARTIFACT_H

#include "common.h"
#include "discover/discover.h"
#include "discover/verify.h"

/* X(key, type): key is the journal's name. OUTPUT is TEXT naming a file the stage writes
 * whose name is chosen once (stage_claim_output: kept as "key.pending" meanwhile). */
#define STAGE_ARTIFACTS(X) \
    /* discover (discover/preflight.h) */ \
    X(upload_mount, TEXT)            /* container path of the library mount */ \
    X(external_mounts, MOUNTS)       /* the other bind mounts that may hold a library */ \
    X(source_version, TEXT)          /* Immich version in Docker, "1.135.3"; unset: unknown */ \
    X(source_extensions, TEXT)       /* the source database's extensions, comma-separated */ \
    X(source_vector_extension, TEXT) /* "vectors", "vchord", "vchord,vectors" or "" */ \
    X(dangling_paths_file, TEXT)     /* the dangling-paths file (discover/paths.h) */ \
    /* backup, verify_backup */ \
    X(backup_archive, OUTPUT) /* the library archive */ \
    X(backup_verified, FLAG)  /* the archive was read back and matches */ \
    X(backup_strategy, TEXT)  /* library_backup the backup stage followed; unset: archive */ \
    X(backup_base, TEXT)      /* the base archive backup_archive (a catch-up) completes; "" none */ \
    /* dump, fixup */ \
    X(dump_file, OUTPUT)         /* the dump (or one the user chose) */ \
    X(fixed_dump, TEXT)          /* the dump rewritten for NixOS */ \
    X(fixed_dump_sha256, TEXT)   /* its SHA-256 (stages/fixed_dump.h) */ \
    X(fixup_report, TEXT)        /* the fix-up's report file */ \
    X(dump_extensions, TEXT)     /* the dump's extensions, comma-separated */ \
    X(dump_immich_version, TEXT) /* the Immich version the dump names, or "" */ \
    /* precopy, copy, start, verify */ \
    X(library_precopied, FLAG) /* the pre-copy ran (or had nothing to do) */ \
    X(copy_record, TEXT)       /* the copy record (files/copy_record.h) the copies follow */ \
    X(base_archive, OUTPUT)    /* the archive the pre-copy wrote from its reading ("" none) */ \
    X(base_verified, FLAG)     /* base_archive was read back and matches its manifest */ \
    X(base_strategy, TEXT)     /* library_backup base_archive followed */ \
    X(library_copied, FLAG)    /* the library is in target_location */ \
    X(immich_started_at, TEXT) /* "@EPOCH" (journalctl --since) */ \
    X(verify_result, VERIFY)   /* what the verify stage counted */

enum artifact {
#define X(key, type) ART_##key,
    STAGE_ARTIFACTS(X)
#undef X
        ART_COUNT
};

/* What a context without a journal keeps: the journal's texts (and the pending names of
 * OUTPUT artifacts), owned by the context. Zeroed = empty. */
struct artifact_memory {
    char *text[ART_COUNT];
    char *pending[ART_COUNT];
};

struct stage_ctx;

/* The journal's name of a (dump_file), and of its pending name (dump_file.pending). */
const char *artifact_name(enum artifact a);
const char *artifact_pending_name(enum artifact a);
/* The artifact named name, or -1: for tools and tests that take names from outside. */
int artifact_by_name(const char *name);

/* The text of a as the journal keeps it: a copy (caller frees), or NULL when unset. */
char *artifact_text(const struct stage_ctx *ctx, enum artifact a);
void artifact_set_text(struct stage_ctx *ctx, enum artifact a, const char *text);
/* The same for the pending name of an OUTPUT artifact (stage_claim_output). */
char *artifact_pending(const struct stage_ctx *ctx, enum artifact a);
void artifact_set_pending(struct stage_ctx *ctx, enum artifact a, const char *text);

/* The typed accessors of each type (use the per-key ones below). */
bool artifact_flag(const struct stage_ctx *ctx, enum artifact a);
void artifact_set_flag(struct stage_ctx *ctx, enum artifact a, bool v);
int artifact_mounts(const struct stage_ctx *ctx, enum artifact a, struct ext_mounts *out,
                    struct strbuf *err);
void artifact_set_mounts(struct stage_ctx *ctx, enum artifact a, const struct ext_mounts *m);
bool artifact_verify(const struct stage_ctx *ctx, enum artifact a, struct verify_result *out);
void artifact_set_verify(struct stage_ctx *ctx, enum artifact a, const struct verify_result *r);

/* The encoders and decoders to the journal's text, one pair per type. FLAG: "yes"/"no"
 * (anything but "yes" is false). MOUNTS: "CONTAINER=HOST" pairs joined by ';', "" = none
 * (pairs holding '=' or ';' cannot be written and are left out). VERIFY:
 * "assets=N;files=N;bytes=N;missing=N;dangling=N". Decoders return 0, or -1 (with err for
 * MOUNTS) when text is malformed. */
void artifact_encode_flag(bool v, struct strbuf *out);
bool artifact_decode_flag(const char *text);
void artifact_encode_mounts(const struct ext_mounts *m, struct strbuf *out);
int artifact_decode_mounts(const char *text, struct ext_mounts *out, struct strbuf *err);
void artifact_encode_verify(const struct verify_result *r, struct strbuf *out);
int artifact_decode_verify(const char *text, struct verify_result *out);

/* The accessors per key, typed by the list. */
#define ARTIFACT_API_TEXT(key) \
    static inline char *artifact_##key(const struct stage_ctx *ctx) \
    { \
        return artifact_text(ctx, ART_##key); \
    } \
    static inline void artifact_set_##key(struct stage_ctx *ctx, const char *v) \
    { \
        artifact_set_text(ctx, ART_##key, v); \
    }
#define ARTIFACT_API_OUTPUT(key) ARTIFACT_API_TEXT(key)
#define ARTIFACT_API_FLAG(key) \
    static inline bool artifact_##key(const struct stage_ctx *ctx) \
    { \
        return artifact_flag(ctx, ART_##key); \
    } \
    static inline void artifact_set_##key(struct stage_ctx *ctx, bool v) \
    { \
        artifact_set_flag(ctx, ART_##key, v); \
    }
#define ARTIFACT_API_MOUNTS(key) \
    static inline int artifact_##key(const struct stage_ctx *ctx, struct ext_mounts *out, \
                                     struct strbuf *err) \
    { \
        return artifact_mounts(ctx, ART_##key, out, err); \
    } \
    static inline void artifact_set_##key(struct stage_ctx *ctx, const struct ext_mounts *m) \
    { \
        artifact_set_mounts(ctx, ART_##key, m); \
    }
#define ARTIFACT_API_VERIFY(key) \
    static inline bool artifact_##key(const struct stage_ctx *ctx, struct verify_result *out) \
    { \
        return artifact_verify(ctx, ART_##key, out); \
    } \
    static inline void artifact_set_##key(struct stage_ctx *ctx, const struct verify_result *r) \
    { \
        artifact_set_verify(ctx, ART_##key, r); \
    }
#define X(key, type) ARTIFACT_API_##type(key)
STAGE_ARTIFACTS(X)
#undef X

#endif
