/* The journal's texts of the typed artifacts: one encoder and decoder per type. */
#include "stages/artifact.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void artifact_encode_flag(bool v, struct strbuf *out)
{
    sb_append(out, v ? "yes" : "no");
}

bool artifact_decode_flag(const char *text)
{
    return strcmp(text, "yes") == 0;
}

void artifact_encode_mounts(const struct ext_mounts *m, struct strbuf *out)
{
    const char *sep = "";
    for (size_t i = 0; i < m->n; i++) {
        if (strpbrk(m->v[i].container, "=;") || strpbrk(m->v[i].host, "=;"))
            continue; /* cannot be written */
        sb_printf(out, "%s%s=%s", sep, m->v[i].container, m->v[i].host);
        sep = ";";
    }
}

int artifact_decode_mounts(const char *text, struct ext_mounts *out, struct strbuf *err)
{
    *out = (struct ext_mounts){0};
    while (*text) {
        size_t n = strcspn(text, ";");
        const char *eq = memchr(text, '=', n);
        if (n && (!eq || eq == text || eq + 1 == text + n)) {
            char *spec = xstrndup(text, n);
            sb_printf(err, _("'%s' is not FROM=TO"), spec);
            free(spec);
            ext_mounts_free(out);
            return -1;
        }
        if (n) {
            char *container = xstrndup(text, (size_t)(eq - text));
            char *host = xstrndup(eq + 1, (size_t)(text + n - eq - 1));
            ext_mounts_add(out, container, host);
            free(container);
            free(host);
        }
        text += n + (text[n] == ';');
    }
    return 0;
}

void artifact_encode_verify(const struct verify_result *r, struct strbuf *out)
{
    sb_printf(out,
              "assets=%" PRIu64 ";files=%" PRIu64 ";bytes=%" PRIu64 ";missing=%" PRIu64
              ";dangling=%" PRIu64,
              r->assets, r->present, r->bytes, r->missing, r->dangling);
}

int artifact_decode_verify(const char *text, struct verify_result *out)
{
    *out = (struct verify_result){0};
    int n = sscanf(text,
                   "assets=%" SCNu64 ";files=%" SCNu64 ";bytes=%" SCNu64 ";missing=%" SCNu64
                   ";dangling=%" SCNu64,
                   &out->assets, &out->present, &out->bytes, &out->missing, &out->dangling);
    if (n != 5) {
        *out = (struct verify_result){0};
        return -1;
    }
    return 0;
}
