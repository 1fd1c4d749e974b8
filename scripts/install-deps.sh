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
/usr/bin/file file
/usr/bin/cpio cpio
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

# Private apt state for arm64 packages: lists and downloads in a build-local
# folder, never the system's.  No sudo: apt state this private needs no
# root, and the files stay the user's (Sandbox::User=root: as root, download
# as root too, since Debian's _apt user may not write into this folder).
apt_dir="$deps/apt-arm64"
apt_opts="-o APT::Architectures::=arm64 -o Dir::State::Lists=$apt_dir/lists
	-o Dir::Cache=$apt_dir/cache -o APT::Sandbox::User=root -q"
apt_updated=0
# arm64_update: the private lists, fetched once per run (a package's exact
# version, the kernel's above all, changes with each point release, and an
# old .deb leaves the mirror).
arm64_update() {
	[ "$apt_updated" = 0 ] || return 0
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	# shellcheck disable=SC2086 # $apt_opts is several words
	retry apt-get $apt_opts update >&2
	apt_updated=1
}
# arm64_download PACKAGE: its arm64 .deb into $apt_dir (an older one there
# is removed first); prints the file's name, and nothing else: it runs in
# $(...), so arm64_update must have run first, in this shell (a flag set in
# that subshell would be lost, and apt's chatter would become the name).
arm64_download() {
	rm -f "$apt_dir/${1}_"*_arm64.deb
	# shellcheck disable=SC2086
	(cd "$apt_dir" && retry apt-get $apt_opts download "$1:arm64") >&2
	for f in "$apt_dir/${1}_"*_arm64.deb; do
		[ -f "$f" ] && echo "$f" && return 0
	done
	echo "install-deps: apt-get download $1:arm64 left no .deb in $apt_dir" >&2
	return 1
}

# GNU-EFI for aarch64, unpacked into a build-local folder.
efi_arm="$deps/gnu-efi-aarch64"
if [ ! -f "$efi_arm/usr/lib/libefi.a" ]; then
	echo "install-deps: fetching gnu-efi:arm64 into $efi_arm"
	mkdir -p "$efi_arm"
	arm64_update
	deb=$(arm64_download gnu-efi)
	dpkg-deb -x "$deb" "$efi_arm"
fi

# Debian's arm64 kernel, for the Linux guest (make linux-arm64,
# docs/linux-guest.md): the package the metapackage linux-image-arm64
# depends on today (linux-image-6.1.0-N-arm64 in Debian 12), unpacked into
# build/deps/linux-arm64/pkg/, and from its /boot/vmlinuz-* the raw Image
# the arm64 boot protocol describes (Documentation/arch/arm64/booting.rst)
# at build/deps/linux-arm64/Image: minihv, like a boot loader, loads the
# Image itself.  Debian 12's vmlinuz already is one (an Image that is also a
# PE file, for its signed EFI stub); were it gzip-compressed, as some
# distributions ship it, it is gunzipped.  version holds the kernel's
# version (uname -r).  The modules (350 MB) are removed: the guest's
# initramfs loads none.
linux="$deps/linux-arm64"
if [ ! -f "$linux/Image" ] || [ ! -f "$linux/version" ]; then
	arm64_update
	# shellcheck disable=SC2086
	pkg=$(apt-cache $apt_opts depends linux-image-arm64:arm64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\)\(:arm64\)\{0,1\}$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		echo "install-deps: cannot tell which kernel linux-image-arm64:arm64 depends on (apt-cache depends said nothing usable)" >&2
		exit 1
	fi
	echo "install-deps: fetching $pkg:arm64 into $linux"
	rm -rf "$linux"
	mkdir -p "$linux"
	deb=$(arm64_download "$pkg")
	dpkg-deb -x "$deb" "$linux/pkg"
	vmlinuz=
	for f in "$linux"/pkg/boot/vmlinuz-*; do
		[ -f "$f" ] && vmlinuz=$f && break
	done
	if [ -z "$vmlinuz" ]; then
		echo "install-deps: $pkg has no /boot/vmlinuz-*" >&2
		exit 1
	fi
	# gzip's magic is 1f 8b; anything else is taken as the Image itself.
	if [ "$(od -An -tx1 -N2 "$vmlinuz" | tr -d ' ')" = 1f8b ]; then
		gzip -dc "$vmlinuz" >"$linux/Image.part"
	else
		cp "$vmlinuz" "$linux/Image.part"
	fi
	# The boot protocol's header: the magic "ARM\x64" at offset 56.  An
	# EFI zboot image or anything else would not boot as an Image.
	if [ "$(od -An -tx1 -j56 -N4 "$linux/Image.part" 2>/dev/null | tr -d ' ')" != 41524d64 ]; then
		printf '%s\n' "install-deps: $vmlinuz is not an arm64 Image (no \"ARM\\x64\" magic at offset 56, even after gunzip): $(file -b "$vmlinuz")" >&2
		exit 1
	fi
	mv "$linux/Image.part" "$linux/Image"
	rm -rf "$linux/pkg/lib" "$linux/pkg/usr"
	basename "$vmlinuz" | sed 's/^vmlinuz-//' >"$linux/version"
	# The .deb (some 60 MiB) is not needed again: Image and version are kept.
	rm -f "$deb"
fi

# busybox-static:arm64: the Linux guest's whole userland (its initramfs,
# scripts/build-initramfs.sh).  A static aarch64 ELF, checked: a dynamic one
# would find no C library in the initramfs.
busybox="$deps/busybox-arm64/bin/busybox"
if [ ! -f "$busybox" ]; then
	echo "install-deps: fetching busybox-static:arm64 into $deps/busybox-arm64"
	rm -rf "$deps/busybox-arm64"
	mkdir -p "$deps/busybox-arm64/pkg" "$deps/busybox-arm64/bin"
	arm64_update
	deb=$(arm64_download busybox-static)
	dpkg-deb -x "$deb" "$deps/busybox-arm64/pkg"
	what=$(file -b "$deps/busybox-arm64/pkg/bin/busybox")
	case $what in
	*ELF\ 64-bit*aarch64*static*) ;;
	*)
		echo "install-deps: busybox-static:arm64's /bin/busybox is not a static aarch64 ELF: $what" >&2
		exit 1
		;;
	esac
	cp "$deps/busybox-arm64/pkg/bin/busybox" "$busybox"
fi

touch "$deps/.stamp"
echo "install-deps: all dependencies present"
