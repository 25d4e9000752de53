#!/bin/sh
# Apply .clang-format to the C sources: src/**/*.[ch] and tests/**/*.[ch].
# Usage: build-aux/format.sh [--check] [FILE]...
#   --check  change nothing; list the files that would change (exit 1 if any).
#   FILE...  only these files (default: every C source and header in the tree).
# Run it from anywhere inside the source tree. CLANG_FORMAT names the program (default
# clang-format); the style was tuned with clang-format 14, other versions may differ a little.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null 2>&1; then
    echo "format.sh: $cf not found (Debian: apt-get install clang-format; Nix: pkgs.clang-tools)" >&2
    exit 2
fi

check=no
if [ "${1-}" = "--check" ]; then
    check=yes
    shift
fi

list_sources() {
    if [ "$#" -gt 0 ]; then
        printf '%s\n' "$@"
    else
        find src tests -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort
    fi
}

if [ "$check" = yes ]; then
    changed=0
    for f in $(list_sources "$@"); do
        if ! "$cf" --style=file --dry-run -Werror "$f" >/dev/null 2>&1; then
            echo "$f"
            changed=1
        fi
    done
    exit "$changed"
fi
list_sources "$@" | xargs "$cf" --style=file -i
