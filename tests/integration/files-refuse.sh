#!/bin/sh
# Refusals of system directories, judged after resolving: chown and copy never change /etc,
# /usr or / however spelled ("/./etc", "//etc", "/etc/.", a symlink to /etc), from the command
# line or the plan, and the checks fail on such settings. Runs in a private mount namespace
# where every mount but the test's own directory is read-only, so that a regressed refusal
# cannot change this machine; strace shows that no chown, chmod or mkdir was even attempted.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/readonly_root.sh"
need strace
readonly_root_enter
rw=$RW
ln -s /etc "$rw/etc-link"
ln -s /usr "$rw/usr-link"
mkdir -p "$rw/src/library" && echo photo > "$rw/src/library/a.jpg"
owner=nobody:$(id -gn nobody)

# refuse TEXT ARGS...: immich-migrate ARGS exits 1 naming TEXT and strace saw no change.
refuse() {
    text=$1; shift
    set +e
    strace -f -qq -o "$rw/trace" -e trace=chown,fchown,fchownat,lchown,chmod,fchmod,fchmodat,mkdir,mkdirat \
        "$IMMICH_MIGRATE" "$@" > "$rw/out" 2> "$rw/log"
    rc=$?
    set -e
    [ "$rc" = 1 ] || { cat "$rw/log"; fail "expected exit 1, got $rc: $*"; }
    assert_contains "$rw/log" "$text"
    if grep -E '(chown|chmod|mkdir)[a-z]*\(' "$rw/trace" | grep -q .; then
        cat "$rw/trace"; fail "a change was attempted: $*"
    fi
}
for d in /./etc //etc /etc/. "$rw/etc-link" /etc//; do
    refuse "refusing a system directory" chown "$d" "$owner" --target-location "$d" --yes
done
pass_step "chown of /etc spelled /./etc, //etc, /etc/., /etc// and as a symlink refused"

refuse "refusing a system directory (/usr)" chown --target-location /usr /usr "$owner" --yes
refuse "refusing a system directory" chown "$rw/usr-link" "$owner" --target-location "$rw/usr-link" --yes
refuse "refusing a system directory (/)" chown / "$owner" --target-location / --yes
refuse "refusing a system directory" chown /. "$owner" --target-location //. --yes
pass_step "chown --target-location /usr /usr, a symlink to /usr and / refused"

printf 'target_location = /./etc\n' > "$rw/plan.conf"
refuse "refusing a system directory" chown /etc "$owner" -c "$rw/plan.conf" --yes
printf 'target_location = "%s"\n' "$rw/etc-link" > "$rw/plan.conf"
refuse "refusing a system directory" chown /etc "$owner" -c "$rw/plan.conf" --yes
pass_step "a plan's target_location that resolves to /etc refused"

refuse "refusing a system directory" copy "$rw/src" "$rw/etc-link"
refuse "refusing a system directory" copy "$rw/src" "$rw/etc-link/immich-new"
refuse "refusing a system directory" copy "$rw/src" /./usr/local/immich
refuse "refusing a system directory" copy "$rw/src" //usr
[ ! -e /etc/immich-new ] && [ ! -e /usr/local/immich ] || fail "copy created a directory in a system tree"
pass_step "copy into /etc or /usr however spelled refused, nothing created"

# backup_dir is created only outside the system directories.
printf 'backup_dir = //etc/immich-dumps\ndocker_command = /bin/false\n' > "$rw/plan.conf"
refuse "refusing a system directory (//etc/immich-dumps is /etc/immich-dumps)" dump -c "$rw/plan.conf"
printf 'backup_dir = "%s/immich-dumps"\ndocker_command = /bin/false\n' "$rw/etc-link" > "$rw/plan.conf"
refuse "refusing a system directory" dump -c "$rw/plan.conf"
[ ! -e /etc/immich-dumps ] || fail "dump created a directory in /etc"
pass_step "dump refuses a backup_dir inside /etc however spelled"

# The checks fail on such settings, before anything changes.
printf 'target_location = /etc/.\nupload_location = %s/src\nbackup_dir = //usr/share/x\ndocker_command = /bin/false\nsystemctl_command = /bin/false\n' \
    "$rw" > "$rw/plan.conf"
set +e
"$IMMICH_MIGRATE" check -c "$rw/plan.conf" --state-dir "$rw/state" > "$rw/out" 2> "$rw/log"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$rw/out" "$rw/log"; fail "check: expected exit 1, got $rc"; }
grep -E '^FAIL +Path settings: .*target_location: refusing a system directory \(/etc/\. is /etc\)' "$rw/out" >/dev/null ||
    { cat "$rw/out"; fail "check did not fail on target_location /etc/."; }
assert_contains "$rw/out" "backup_dir: refusing a system directory (//usr/share/x is /usr/share/x)"
pass_step "check fails on target_location /etc/. and backup_dir //usr/share/x"
