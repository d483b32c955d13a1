package cluster

import "hash/fnv"

// Of returns the partition of an enterprise among n: the 32-bit FNV-1a
// hash of its code, modulo n. It is stable across versions and
// instances, since a partition's persistent MQTT session and its leases
// depend on it; changing it, or n, moves enterprises between sessions
// (see docs/scale-out.md for how to change the partition count).
func Of(enterprise string, n int) int {
	if n <= 0 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(enterprise)) // a hash never fails
	return int(h.Sum32() % uint32(n))
}

// Share returns how many partitions of n each of live instances aims
// at: ceil(n/live), so that the shares together cover every partition.
func Share(n, live int) int {
	if live < 1 {
		live = 1
	}
	return (n + live - 1) / live
}
