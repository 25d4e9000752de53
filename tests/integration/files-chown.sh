#!/bin/sh
# chown: refuses an empty path, "/", a path that is not the target_location (from -c CONFIG,
# --target-location or the default), a missing user or group, an unconfirmed run; changes
# every entry including symlinks themselves, never what an outside symlink points to (owner
# and ctime of the target unchanged), and sets DIR to 0700. As root the owner is
# nobody:nogroup (a real change); otherwise the caller's own user and group.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"

lib=$TEST_TMP/lib
make_library "$lib" "$TEST_TMP/outside" --large-mb 1
if [ "$(id -u)" = 0 ]; then
    user=nobody; group=$(id -gn nobody)
else
    user=$(id -un); group=$(id -gn)
fi
uid=$(id -u "$user"); gid=$(getent group "$group" | cut -d: -f3)
printf 'target_location = %s\n' "$lib" > "$TEST_TMP/plan.conf"
printf 'target_location = %s\n' "$TEST_TMP/elsewhere" > "$TEST_TMP/other.conf"
mkdir "$TEST_TMP/elsewhere"
outside_before=$(stat -c '%u:%g %Z %z' "$TEST_TMP/outside/target.txt" "$TEST_TMP/outside")
lib_before=$(cd "$lib" && find . -printf '%U:%G %p\n' | sort)

refuse() { # refuse TEXT ARGS...: exit 1, the reason on stderr, nothing changed
    text=$1; shift
    expect_status 1 "$IMMICH_MIGRATE" chown "$@" 2> "$TEST_TMP/log"
    assert_contains "$TEST_TMP/log" "$text"
}
refuse "empty path" "" "$user:$group" --yes
refuse "not the configured target_location" "$lib" "$user:$group" -c "$TEST_TMP/other.conf" --yes
refuse "not the configured target_location (/var/lib/immich)" "$lib" "$user:$group" --yes
refuse 'no user "no-such-user-x"' "$lib" "no-such-user-x:$group" -c "$TEST_TMP/plan.conf" --yes
refuse 'no group "no-such-group-x"' "$lib" "$user:no-such-group-x" -c "$TEST_TMP/plan.conf" --yes
refuse "must be USER:GROUP" "$lib" "$user" -c "$TEST_TMP/plan.conf" --yes
refuse "No such file" "$TEST_TMP/missing" "$user:$group" -c "$TEST_TMP/plan.conf" --yes
refuse "not confirmed" "$lib" "$user:$group" -c "$TEST_TMP/plan.conf" < /dev/null
lib_now=$(cd "$lib" && find . -printf '%U:%G %p\n' | sort)
[ "$lib_now" = "$lib_before" ] || fail "a refused chown changed owners"
pass_step "bad paths, owners and unconfirmed runs refused"

"$IMMICH_MIGRATE" chown "$lib" "$user:$group" -c "$TEST_TMP/plan.conf" --state-dir "$TEST_TMP/state" --yes 2> "$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "chown failed"; }
assert_contains "$TEST_TMP/log" "0 failures"
wrong=$(cd "$lib" && find . ! \( -uid "$uid" -gid "$gid" \) -printf '%p\n')
[ -z "$wrong" ] || fail "entries not changed: $wrong"
[ "$(stat -c %a "$lib")" = 700 ] || fail "DIR is not 0700"
[ "$(stat -c %u:%g "$lib/library/outside-link")" = "$uid:$gid" ] || fail "the symlink itself was not changed"
outside_after=$(stat -c '%u:%g %Z %z' "$TEST_TMP/outside/target.txt" "$TEST_TMP/outside")
[ "$outside_after" = "$outside_before" ] || fail "the symlink's outside target was changed: $outside_after"
pass_step "every entry changed, the outside target untouched, DIR 0700"

# the same through --target-location (no plan file), and a second run changes nothing
"$IMMICH_MIGRATE" chown "$lib" "$user:$group" --target-location "$lib" --state-dir "$TEST_TMP/state" -y 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "now belong to $user:$group ($uid:$gid), 0 failures"
outside_after=$(stat -c '%u:%g %Z %z' "$TEST_TMP/outside/target.txt" "$TEST_TMP/outside")
[ "$outside_after" = "$outside_before" ] || fail "the second run changed the outside target"
pass_step "second run through --target-location"
