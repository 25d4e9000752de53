#include "vecext.h"

#include <string.h>

enum vecext vecext_kind(const char *ext, bool with_vchord)
{
    if (strcmp(ext, "vectors") == 0)
        return VECEXT_PGVECTORS;
    if (strcmp(ext, "vchord") == 0)
        return VECEXT_VECTORCHORD;
    if (strcmp(ext, "vector") == 0)
        return with_vchord ? VECEXT_VECTORCHORD : VECEXT_PGVECTOR;
    return VECEXT_NONE;
}

const char *vecext_nixos_settings(enum vecext kind)
{
    switch (kind) {
    case VECEXT_PGVECTORS: return "services.immich.database.enableVectors = true;";
    case VECEXT_VECTORCHORD: return "services.immich.database.enableVectorChord = true;";
    case VECEXT_PGVECTOR:
        return "services.immich.database.enableVectorChord = true; "
               "services.immich.environment.DB_VECTOR_EXTENSION = \"pgvector\";";
    case VECEXT_NONE: break;
    }
    return NULL;
}

char *vecext_missing_advice(enum vecext kind)
{
    switch (kind) {
    case VECEXT_PGVECTORS:
        return xstrdup(_("the dump uses pgvecto.rs (extension 'vectors'): set "
                         "services.immich.database.enableVectors = true in the NixOS configuration "
                         "(not possible with PostgreSQL 17 or later), rebuild, and run this again"));
    case VECEXT_VECTORCHORD:
        return xstrdup(_("the dump uses VectorChord (extensions 'vchord' and 'vector'): set "
                         "services.immich.database.enableVectorChord = true in the NixOS "
                         "configuration, rebuild, and run this again"));
    case VECEXT_PGVECTOR:
        return xasprintf(_("the dump uses pgvector (extension 'vector' without 'vchord', Immich's "
                           "pgvector mode): set %s in the NixOS configuration (the module installs "
                           "pgvector only together with VectorChord; DB_VECTOR_EXTENSION keeps "
                           "Immich on pgvector), rebuild, and run this again"),
                         vecext_nixos_settings(kind));
    case VECEXT_NONE: break;
    }
    return NULL;
}
