#!/bin/sh
# Sign a minihv build for Secure Boot.
#
#   sign.sh BUILDDIR OUTDIR
#
# Copies BUILDDIR's BOOT*.EFI into OUTDIR signed with Debian's sbsign, and
# the guest list beside it, so that scripts/run-suite.sh can run OUTDIR like
# any build.  A firmware boots the result only if the signing certificate
# (or one above it) is in its db: see docs/secure-boot.md.
#
# Environment (defaults: Debian's test key, which the "snakeoil" variable
# stores of the ovmf and qemu-efi-aarch64 packages trust, so that
# MINIHV_FIRMWARE=snakeoil boots the result):
#   SIGN_KEY    the private key, PEM       (/usr/share/ovmf/PkKek-1-snakeoil.key)
#   SIGN_CERT   its certificate, PEM       (/usr/share/ovmf/PkKek-1-snakeoil.pem)
#   SIGN_PASS   the key's password, if any (snakeoil)
set -eu

builddir=$1
outdir=$2
key=${SIGN_KEY:-/usr/share/ovmf/PkKek-1-snakeoil.key}
cert=${SIGN_CERT:-/usr/share/ovmf/PkKek-1-snakeoil.pem}
pass=${SIGN_PASS-snakeoil}

for tool in sbsign sbverify openssl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "sign: $tool is missing: run make deps (Debian's sbsigntool, openssl)" >&2
		exit 1
	fi
done
app=$(cd "$builddir" && ls BOOT*.EFI)
mkdir -p "$outdir"

# sbsign would ask for the password on the terminal; hand it a copy of the
# key without one instead, readable only by us and gone when we are.
plainkey=$(mktemp)
trap 'rm -f "$plainkey"' EXIT
chmod 600 "$plainkey"
openssl pkey -in "$key" -passin "pass:$pass" -out "$plainkey"

# Both tools warn about gaps between PE sections (GNU-EFI's objcopy leaves
# them), which are harmless: their words are shown only if they fail.
said=$(mktemp)
trap 'rm -f "$plainkey" "$said"' EXIT
if ! sbsign --key "$plainkey" --cert "$cert" --output "$outdir/$app" "$builddir/$app" >"$said" 2>&1 ||
	! sbverify --cert "$cert" "$outdir/$app" >>"$said" 2>&1; then
	cat "$said" >&2
	echo "sign: signing $builddir/$app failed" >&2
	exit 1
fi
cp "$builddir/guests.list" "$outdir/guests.list"
echo "sign: $outdir/$app signed with $cert"
