/* libFuzzer target for the .env reader: any bytes must parse or fail cleanly, and what
 * parses must be well-formed (non-empty keys, one entry per key, NUL-free strings).
 * Build with `make fuzz-dotenv` (clang -fsanitize=fuzzer,address,undefined); `make check`
 * runs the corpus in tests/fuzz/dotenv-corpus through fuzz_dotenv_driver.c instead. */
#include "common.h"
#include "discover/dotenv.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dotenv env = {0};
    struct strbuf err = {0};
    int rc = dotenv_parse(&env, (const char *)data, size, &err);
    if (rc < 0 && err.len == 0)
        abort(); /* a failure always says why */
    for (size_t i = 0; i < env.n; i++) {
        if (!env.v[i].key[0] || env.v[i].line < 1)
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(env.v[i].key, env.v[j].key) == 0)
                abort();
        if (dotenv_get(&env, env.v[i].key) != env.v[i].value)
            abort();
    }
    dotenv_free(&env);
    sb_free(&err);
    return 0;
}
