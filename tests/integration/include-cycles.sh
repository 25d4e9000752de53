#!/bin/sh
# Include cycles between the modules of src/ (issue 11): a module is a source file and its header
# (src/db/fixup.c and src/db/fixup.h are one node); an edge is an `#include "…"` from one module to
# another, the name taken relative to src/ (as -I src does) or to the including file's directory.
# Prints the number of cycles (strongly connected components of more than one module), then each
# cycle's modules; exits 1 when there is one. Usage: include-cycles.sh [SRCDIR]
set -eu
src=${1:-${top_srcdir:-.}/src}
cd "$src"
find . -name '*.[ch]' | sed 's|^\./||' | sort | while read -r f; do
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
        while read -r inc; do
            dir=$(dirname "$f")
            if [ -f "$dir/$inc" ] && [ "$dir" != . ]; then
                inc="$dir/$inc"
            elif [ ! -f "$inc" ]; then
                continue # config.h and the like: not a module of src/
            fi
            echo "${f%.[ch]} ${inc%.[ch]}"
        done
done | awk '
    # Tarjan: strongly connected components of the module graph.
    $1 != $2 { adj[$1] = adj[$1] " " $2; node[$1] = 1; node[$2] = 1 }
    function visit(v,    i, n, w, succ, c, members) {
        idx[v] = low[v] = ++counter; stack[++sp] = v; onstack[v] = 1
        n = split(adj[v], succ, " ")
        for (i = 1; i <= n; i++) {
            w = succ[i]
            if (!(w in idx)) { visit(w); if (low[w] < low[v]) low[v] = low[w] }
            else if (onstack[w] && idx[w] < low[v]) low[v] = idx[w]
        }
        if (low[v] == idx[v]) {
            c = 0; members = ""
            do { w = stack[sp--]; onstack[w] = 0; c++; members = members " " w } while (w != v)
            if (c > 1) { cycles++; found[cycles] = members }
        }
    }
    END {
        for (v in node) if (!(v in idx)) visit(v)
        print cycles + 0
        for (i = 1; i <= cycles; i++) print "cycle:" found[i]
        exit cycles > 0
    }'
