#!/bin/sh
# Install everything minihv needs to build and test, on Debian.
#
# Idempotent: it checks each tool first and only calls apt-get for what is
# missing, so make targets can run it whenever a tool is absent.
#
# GNU-EFI for aarch64 is special: Debian's gnu-efi:arm64 cannot be installed
# next to gnu-efi (amd64) without adding a dpkg architecture, so we download
# the arm64 .deb through private apt state folders and unpack it into
# build/deps/gnu-efi-aarch64 instead.  The system is left untouched.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"

# As root, apt-get runs as it is; otherwise through sudo.  sudo resets the
# environment, so DEBIAN_FRONTEND goes on the command line (env), and apt
# waits for a lock another apt holds instead of failing at once.
apt="env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-deps: not root and no sudo: run this script as root" >&2
		exit 1
	fi
	apt="sudo $apt"
fi

# Each line: a file or command that must exist, then the Debian package that provides it.
need_list='
/usr/bin/qemu-system-x86_64 qemu-system-x86
/usr/bin/qemu-system-aarch64 qemu-system-arm
/usr/share/ovmf/OVMF.fd ovmf
/usr/share/qemu-efi-aarch64/QEMU_EFI.fd qemu-efi-aarch64
/usr/lib/crt0-efi-x86_64.o gnu-efi
/usr/bin/aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
/usr/bin/aarch64-linux-gnu-ld binutils-aarch64-linux-gnu
/usr/bin/bochs-bin bochs
/usr/share/bochs/BIOS-bochs-latest bochsbios
/usr/share/seabios/vgabios-stdvga.bin seabios
/usr/bin/mcopy mtools
/usr/bin/gdb-multiarch gdb-multiarch
/usr/sbin/mkfs.fat dosfstools
/usr/sbin/sfdisk fdisk
/usr/bin/shellcheck shellcheck
/usr/bin/gcc gcc
/usr/bin/clang clang
/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
/usr/bin/make make
/usr/bin/timeout coreutils
/usr/bin/dpkg-deb dpkg
/usr/bin/sbsign sbsigntool
/usr/bin/openssl openssl
/usr/bin/dot graphviz
/usr/bin/dtc device-tree-compiler
'

# retry CMD...: a second try after a pause, so that one hiccup of a mirror
# does not fail a fresh machine's set-up.
retry() {
	"$@" || {
		echo "install-deps: failed, trying once more: $*" >&2
		sleep 10
		"$@"
	}
}

missing=""
# shellcheck disable=SC2086
set -- $need_list
while [ $# -ge 2 ]; do
	if [ ! -e "$1" ]; then
		missing="$missing $2"
	fi
	shift 2
done

# ASan/UBSan runtimes come with gcc's libasan/libubsan; check by compiling.
if [ -x /usr/bin/gcc ] && ! echo 'int main(void){return 0;}' |
	gcc -x c -fsanitize=address,undefined -o /dev/null - >/dev/null 2>&1; then
	missing="$missing libasan8 libubsan1"
fi

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	# shellcheck disable=SC2086 # $apt and $missing are several words
	retry $apt update -q
	# shellcheck disable=SC2086
	retry $apt install -y -q --no-install-recommends $missing
fi

# GNU-EFI for aarch64, unpacked into a build-local folder.
efi_arm="$deps/gnu-efi-aarch64"
if [ ! -f "$efi_arm/usr/lib/libefi.a" ]; then
	echo "install-deps: fetching gnu-efi:arm64 into $efi_arm"
	apt_dir="$deps/apt-arm64"
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$efi_arm"
	# No sudo: apt state this private needs no root, and the files stay
	# the user's (Sandbox::User=root: as root, download as root too, since
	# Debian's _apt user may not write into this folder).
	apt_opts="-o APT::Architectures::=arm64 -o Dir::State::Lists=$apt_dir/lists
		-o Dir::Cache=$apt_dir/cache -o APT::Sandbox::User=root -q"
	# shellcheck disable=SC2086
	retry apt-get $apt_opts update
	# shellcheck disable=SC2086
	(cd "$apt_dir" && retry apt-get $apt_opts download gnu-efi:arm64)
	for deb in "$apt_dir"/gnu-efi_*_arm64.deb; do
		dpkg-deb -x "$deb" "$efi_arm"
	done
fi

touch "$deps/.stamp"
echo "install-deps: all dependencies present"
