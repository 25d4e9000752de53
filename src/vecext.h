/* Immich's vector extensions and the NixOS settings that provide them (services.immich):
 * 'vectors' (pgvecto.rs): database.enableVectors; 'vchord' (VectorChord, which needs
 * 'vector'): database.enableVectorChord; 'vector' without 'vchord' (plain pgvector, Immich's
 * pgvector mode): the module installs pgvector only with database.enableVectorChord, and
 * DB_VECTOR_EXTENSION = "pgvector" keeps Immich on it. */
#ifndef IM_VECEXT_H
#define IM_VECEXT_H

#include "common.h"

enum vecext {
    VECEXT_NONE,        /* not a vector extension */
    VECEXT_PGVECTORS,   /* vectors */
    VECEXT_VECTORCHORD, /* vchord, or vector in a dump that also uses vchord */
    VECEXT_PGVECTOR,    /* vector without vchord */
};

/* Which one extension ext is, in a dump that uses vchord (with_vchord) or not. */
enum vecext vecext_kind(const char *ext, bool with_vchord);

/* The NixOS settings for kind, fully qualified Nix; NULL for VECEXT_NONE. */
const char *vecext_nixos_settings(enum vecext kind);

/* The sentence naming what the dump uses and the settings that provide it (malloc'd), or
 * NULL for VECEXT_NONE. */
char *vecext_missing_advice(enum vecext kind);

#endif
