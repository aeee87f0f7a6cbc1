# SPDX-License-Identifier: GPL-2.0
# The guest sees every CPU QEMU was given (cev.cpus= on the command line).
want=
for arg in $(cat /proc/cmdline); do
	case $arg in cev.cpus=*) want=${arg#cev.cpus=} ;; esac
done
have=$(grep -c '^processor' /proc/cpuinfo)
online=$(cat /sys/devices/system/cpu/online)
echo "cpus: want $want, have $have, online $online"
[ -n "$want" ] && [ "$have" -eq "$want" ]
