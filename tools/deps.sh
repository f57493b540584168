#!/bin/sh
# deps.sh - install the Debian packages in tools/packages.txt that are
# missing.  Quiet when everything is there; needs root (or sudo) otherwise.
set -eu
here=$(dirname "$0")
missing=
for p in $(grep -v '^#' "$here/packages.txt"); do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	echo "deps: not root and no sudo; install these by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Never let a package start its daemon (nsd would take port 53).
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod 755 "$policy"
	made_policy=1
fi
$sudo apt-get update -q || true
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
[ "$made_policy" = 1 ] && $sudo rm -f "$policy"
exit 0
