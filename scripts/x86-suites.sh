#!/bin/sh
# The x86 guest suites make test runs, one TARGET:CPU per line (see
# scripts/run-suite.sh).
#   qemu-x86:max    SVM + NPT under QEMU TCG (runs anywhere)
#   qemu-x86:EPYC   the same on a model with NPT only (no VGIF, fewer ASIDs)
#   qemu-x86:kvm    the host's VMX or SVM through KVM (SKIP without nesting)
#   bochs-x86:...   VMX + EPT on two Intel models, SVM + NPT on an AMD one
echo qemu-x86:max
echo qemu-x86:EPYC
echo qemu-x86:kvm
echo bochs-x86:corei7_haswell_4770
echo bochs-x86:tigerlake
echo bochs-x86:ryzen
