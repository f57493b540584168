#!/bin/sh
# install.sh DESTDIR BUILD MAILBIN MAILSHARE MAILVAR POSTOFFICE ZCONFIG MANDIR
#
# Called by `make install` (DESIGN 11).  Installs:
#   BUILD/bin/*            -> MAILBIN (smtpserver, router, helpers)
#   BUILD/bin/cks/*        -> MAILBIN/cks (nscheck)
#   cf/router.cf           -> MAILSHARE;  cf/*.cf (others) -> MAILSHARE/cf
#   smtpserver.conf.sample -> MAILSHARE/smtpserver.conf (if absent) and
#                             MAILSHARE/smtpserver.conf.sample (always)
#   db/relay/*             -> MAILVAR/db/relay   (never over an existing file)
#   db/localnames, aliases -> MAILVAR/db         (never over an existing file)
#   docs/*.[578]           -> MANDIR/man[578]
#   POSTOFFICE/{public,router} created (0700, owned by SMTPUSER when root)
#   ZCONFIG written from zmailer.conf.sample with these directories, if
#   it does not exist yet.
# Scripts and programs are replaced (they are ours); a site's data and
# configuration are never overwritten.
set -eu
[ $# -eq 8 ] || {
	echo "usage: install.sh DESTDIR BUILD MAILBIN MAILSHARE MAILVAR POSTOFFICE ZCONFIG MANDIR" >&2
	exit 64
}
destdir=$1; build=$2; mailbin=$3; mailshare=$4; mailvar=$5
postoffice=$6; zconfig=$7; mandir=$8
src=$(cd "$(dirname "$0")/.." && pwd)
D=$destdir
# Nothing the router reads may be group- or world-writable (router(8)
# SECURITY): files made here (the flushots index) get 0644 at most.
umask 022

say() { echo "install: $*"; }

# install_new SRC DST MODE: copy unless DST exists.
install_new() {
	if [ -e "$2" ]; then
		say "kept existing $2"
	else
		install -m "$3" "$1" "$2"
		say "$2"
	fi
}

[ -x "$build/bin/smtpserver" ] || {
	echo "install.sh: $build/bin/smtpserver is not built (run make first)" >&2
	exit 1
}

install -d -m 755 "$D$mailbin" "$D$mailbin/cks" "$D$mailshare" "$D$mailshare/cf" \
	"$D$mailvar" "$D$mailvar/db" "$D$mailvar/db/relay" "$D$postoffice" \
	"$D$(dirname "$zconfig")"

for f in "$build"/bin/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	install -m 755 "$f" "$D$mailbin/$(basename "$f")"
	say "$mailbin/$(basename "$f")"
done
for f in "$build"/bin/cks/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	install -m 755 "$f" "$D$mailbin/cks/$(basename "$f")"
	say "$mailbin/cks/$(basename "$f")"
done

for f in "$src"/cf/*.cf; do
	[ -f "$f" ] || continue
	if [ "$(basename "$f")" = router.cf ]; then
		install -m 644 "$f" "$D$mailshare/router.cf"
	else
		install -m 644 "$f" "$D$mailshare/cf/$(basename "$f")"
	fi
done
install -m 644 "$src/smtpserver/smtpserver.conf.sample" "$D$mailshare/smtpserver.conf.sample"
install_new "$src/smtpserver/smtpserver.conf.sample" "$D$mailshare/smtpserver.conf" 644

for f in "$src"/db/relay/*; do
	[ -f "$f" ] || continue
	install_new "$f" "$D$mailvar/db/relay/$(basename "$f")" 644
done
for f in localnames aliases; do
	[ -f "$src/db/$f" ] && install_new "$src/db/$f" "$D$mailvar/db/$f" 644
done

for f in "$src"/docs/*.5 "$src"/docs/*.7 "$src"/docs/*.8; do
	[ -f "$f" ] || continue
	sec=${f##*.}
	install -d -m 755 "$D$mandir/man$sec"
	install -m 644 "$f" "$D$mandir/man$sec/$(basename "$f")"
done

# The trap index the router reads (flushot(8)): without it every MAIL
# FROM would be deferred as "cannot tell".
if [ -f "$D$mailvar/db/relay/flushots" ] && [ ! -f "$D$mailvar/db/relay/flushots.lmdb" ]; then
	"$build/bin/flushot" -f "$D$mailvar/db/relay/flushots" rebuild >/dev/null
	say "$mailvar/db/relay/flushots.lmdb"
fi

# nscheck's verdict cache (nscheck(8) -c), written by the router's user.
for f in nscheck.lmdb nscheck.lmdb-lock; do
	[ -e "$D$mailvar/db/$f" ] || { : > "$D$mailvar/db/$f"; chmod 644 "$D$mailvar/db/$f"; }
done

install -d -m 700 "$D$postoffice/public" "$D$postoffice/router"
if [ "$(id -u)" -eq 0 ] && id daemon >/dev/null 2>&1; then
	chown daemon "$D$postoffice/public" "$D$postoffice/router"
	chown daemon "$D$mailvar/db"/nscheck.lmdb*
	[ -f "$D$mailvar/db/relay/flushots" ] && chown daemon "$D$mailvar/db/relay/flushots" \
		"$D$mailvar/db/relay"/flushots.lmdb*
fi

if [ -e "$D$zconfig" ]; then
	say "kept existing $zconfig"
else
	sed -e "s|^MAILBIN=.*|MAILBIN=$mailbin|" \
	    -e "s|^MAILSHARE=.*|MAILSHARE=$mailshare|" \
	    -e "s|^MAILVAR=.*|MAILVAR=$mailvar|" \
	    -e "s|^POSTOFFICE=.*|POSTOFFICE=$postoffice|" \
	    "$src/zmailer.conf.sample" > "$D$zconfig.tmp.$$"
	chmod 644 "$D$zconfig.tmp.$$"
	mv "$D$zconfig.tmp.$$" "$D$zconfig"
	say "$zconfig"
fi
