# SPDX-License-Identifier: GPL-2.0
# mirror, hedge: a fast and a slow mirror, keyed.  Reads complete on the
# first good copy; the slow copies still pending are cancelled.
. /tests/lib.inc
mkstack cvm0 mirror 0x33 /dev/ram3 /dev/nullb0
data 4
write_data /dev/cvm0
drop_caches
t0=$(date +%s)
same_as_data /dev/cvm0 || fail "read back differs"
echo "read in $(($(date +%s) - t0))s; hedge_cancelled: $(counter cvm0 hedge_cancelled)," \
	"cancelled: $(counter cvm0 cancelled), transforms: $(counter cvm0 transforms)"
[ "$(counter cvm0 hedge_cancelled)" -gt 0 ] || fail "no slow copy was cancelled"
