# Test libraries for the library stages (backup, verify-backup, copy, chown), and a way to
# compare two trees. Source it:  . "$top_srcdir/tests/lib/makelib.sh"
#
# make_library LIB OUTSIDE [--large-mb N] [--unreadable]
#   Builds an Immich-like library in LIB (must not exist) with every case that breaks naive
#   code: names with spaces, a newline, a tab, quotes, non-ASCII UTF-8 and a non-UTF-8 byte;
#   Immich's .immich markers and other dot-files; a symlink to OUTSIDE/target.txt (outside the
#   library), a relative symlink, a dangling one; hard links; empty directories; a "large"
#   file of N MiB (default 3) of random bytes; modes 0600/0640/0755/0775; nanosecond mtimes;
#   when run as root, files owned by other users (1234:2345, 65534).
#   --unreadable adds upload/secret.jpg with mode 000. Root reads it anyway, so tests that
#   need an unreadable file run the program as an unprivileged user (run_unprivileged).
#
# tree_listing DIR OUT
#   Writes a NUL-separated, sorted listing of everything below DIR (not DIR itself): type,
#   mode, uid:gid, link count, size (not for directories), mtime with nanoseconds, symlink
#   target, path; then the SHA-256 of every regular file. Equal listings = equal trees.
#
# show_listing_diff A B: prints the difference of two listings readably.
# run_unprivileged CMD...: runs CMD as nobody (65534) when root, else as is.

make_library() {
    _lib=$1; _out=$2; shift 2
    _large_mb=3; _unreadable=no
    while [ $# -gt 0 ]; do
        case $1 in
            --large-mb) _large_mb=$2; shift 2 ;;
            --unreadable) _unreadable=yes; shift ;;
            *) echo "make_library: unknown option $1" >&2; return 2 ;;
        esac
    done
    [ ! -e "$_lib" ] || { echo "make_library: $_lib exists" >&2; return 2; }
    umask 022
    mkdir -p "$_out" "$_lib"
    printf 'outside the library\n' > "$_out/target.txt"
    mkdir -p "$_lib/library/admin/2024/01" "$_lib/upload/ab/cd" "$_lib/thumbs/ab/cd" \
             "$_lib/encoded-video/empty" "$_lib/profile" "$_lib/backups" "$_lib/deep/a/b/c/d/e"
    for d in library upload thumbs encoded-video profile backups; do
        : > "$_lib/$d/.immich"
    done
    printf 'hidden\n' > "$_lib/upload/.hidden file"
    up="$_lib/upload/ab/cd"
    head -c 20000 /dev/urandom > "$up/photo one.jpg"
    head -c 1000 /dev/urandom > "$up/quote's \"double\".jpg"
    head -c 1001 /dev/urandom > "$up/new
line.jpg"
    head -c 1002 /dev/urandom > "$up/tab	here.jpg"
    head -c 1003 /dev/urandom > "$up/ünïcödé 写真.heic"
    head -c 1004 /dev/urandom > "$up/$(printf 'bad\377byte.jpg')"
    head -c 1005 /dev/urandom > "$up/back\\slash.jpg"
    printf 'x' > "$up/-dash.jpg"
    : > "$up/empty.jpg"
    head -c $((_large_mb * 1048576)) /dev/urandom > "$_lib/library/admin/2024/01/large.mp4"
    head -c 5000 /dev/urandom > "$_lib/thumbs/ab/cd/thumb.webp"
    # hard links: two more names of one file, one of them in another directory
    ln "$up/photo one.jpg" "$_lib/library/admin/2024/01/photo one.jpg"
    ln "$up/photo one.jpg" "$up/photo one (link).jpg"
    # symlinks: outside the library, relative inside, dangling
    ln -s "$_out/target.txt" "$_lib/library/outside-link"
    ln -s ../upload "$_lib/library/upload-link"
    ln -s "$_out" "$_lib/library/outside-dir-link"
    ln -s does-not-exist "$_lib/library/dangling"
    printf 'script\n' > "$_lib/library/run.sh"
    chmod 0755 "$_lib/library/run.sh"
    printf 'private\n' > "$_lib/profile/private.txt"
    chmod 0600 "$_lib/profile/private.txt"
    printf 'group\n' > "$_lib/profile/group.txt"
    chmod 0640 "$_lib/profile/group.txt"
    chmod 0775 "$_lib/thumbs/ab"
    if [ "$(id -u)" = 0 ]; then
        chown 1234:2345 "$_lib/thumbs/ab/cd/thumb.webp"
        chown -h 65534:65534 "$_lib/library/dangling"
        chown 65534:65534 "$_lib/deep/a/b"
    fi
    if [ "$_unreadable" = yes ]; then
        printf 'secret\n' > "$_lib/upload/secret.jpg"
        chmod 000 "$_lib/upload/secret.jpg"
    fi
    # nanosecond times, deepest first so that directories keep theirs
    find "$_lib" -mindepth 1 -depth -exec touch -h -d '2023-04-05 06:07:08.123456789' {} +
    touch -d '2021-01-02 03:04:05.987654321' "$_lib/library/admin/2024/01/large.mp4"
    touch -h -d '2020-12-31 23:59:59.5' "$_lib/library/outside-link"
    touch -d '2022-02-02 02:02:02.000000001' "$_lib/upload/ab/cd" "$_lib/upload/ab/cd/tab	here.jpg"
}

tree_listing() {
    ( cd "$1" &&
      find . -mindepth 1 ! -type d -printf '%y %m %U:%G n%n s%s t%T@ [%l] %P\0' &&
      find . -mindepth 1 -type d -printf '%y %m %U:%G t%T@ %P\0' &&
      find . -type f -print0 | sort -z | xargs -0 -r sha256sum -z
    ) | sort -z > "$2"
}

show_listing_diff() {
    tr '\0' '\n' < "$1" > "$1.txt"
    tr '\0' '\n' < "$2" > "$2.txt"
    diff "$1.txt" "$2.txt" || true
}

run_unprivileged() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}
