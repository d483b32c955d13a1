// Package queue is the edge agent's durable store-and-forward queue: a FIFO
// of byte records on disk that survives link outages of days, power cuts
// and kill -9. The poller appends every reading before it is published;
// the publisher reads ahead, publishes with MQTT QoS 1, and acks what the
// broker confirmed.
//
// # Layout
//
// A queue is a directory of segment files and a meta file. A segment is
// named for the index of its first record (00000000000000000001.seg) and is
// only ever appended to; a new one is started when it reaches SegmentBytes,
// and at every Open. Each record carries a header with its length, its
// index, its append time and a CRC-32C of all that and the data (see
// record.go). The meta file holds the epoch, the acked cursor and the index
// lease, and is replaced atomically (write, fsync, rename, fsync the
// directory). A lock file keeps a second process out.
//
// # Indexes and epoch
//
// Indexes start at 1 and grow by one per record; they are the gateway's
// message sequence numbers within the epoch (Epoch, the Unix ms time the
// queue was created), and are never handed out twice. A power cut can lose
// records the publisher already sent; so that their indexes are not reused
// for new records, Append leases indexes 4096 at a time in the meta file,
// and after an unclean stop the next index starts past the lease. A gap in
// the indexes therefore means "records here may be lost": dropped for
// space or age, damaged, or lost in a crash. After Close there is no gap.
//
// # Loss window
//
// Append writes the record before it returns, so the death of the process
// alone loses nothing: the data is in the page cache. What a power cut or
// kernel crash can lose depends on Options.Sync: nothing returned by Append
// under SyncAlways; the last SyncInterval of records under SyncInterval;
// what the kernel had not written back (on Linux up to about 30 s) under
// SyncNever. A torn record at the end is cut off at Open and logged.
//
// Acks are kept in memory and saved within about a second, so a crash may
// redeliver up to a second of acked records: delivery is at least once.
//
// # Concurrency
//
// All methods are safe for concurrent use. The queue is built for one
// goroutine that appends (the poller) and one that waits, reads and acks
// (the publisher). ReadFrom reads the files without holding the lock that
// Append takes.
package queue
