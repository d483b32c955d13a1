package cluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

// nowMS is the database's clock in Unix milliseconds. Every lease
// decision compares against it, never against an instance's clock.
const nowMS = `(extract(epoch from now()) * 1000)::bigint`

// Lease is a partition held at an epoch. The epoch grows by one with
// every acquisition, so a holder that lost the lease and a holder that
// got it back later are told apart.
type Lease struct {
	Partition int
	Epoch     int64
}

// Row is one row of the lease table as the balancer sees it.
type Row struct {
	Partition int
	Owner     string
	Epoch     int64
	// Free is true when the lease has expired or was released.
	Free bool
}

// Leases runs the lease statements of one instance on PostgreSQL.
type Leases struct {
	db       *sql.DB
	instance string
	ttl      time.Duration
}

// NewLeases returns the lease statements of instance, whose leases last
// ttl from each acquisition or renewal.
func NewLeases(db *sql.DB, instance string, ttl time.Duration) *Leases {
	return &Leases{db: db, instance: instance, ttl: ttl}
}

// Heartbeat announces the instance as live now.
func (l *Leases) Heartbeat(ctx context.Context) error {
	const q = `INSERT INTO center_instances (instance_id, heartbeat_at)
		VALUES ($1, ` + nowMS + `)
		ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`
	if _, err := l.db.ExecContext(ctx, q, l.instance); err != nil {
		return fmt.Errorf("heartbeat of %s: %w", l.instance, err)
	}
	return nil
}

// Live counts the instances heard from within the lease time, this one
// included.
func (l *Leases) Live(ctx context.Context) (int, error) {
	const q = `SELECT count(*) FROM center_instances
		WHERE heartbeat_at > ` + nowMS + ` - $1 OR instance_id = $2`
	var n int
	if err := l.db.QueryRowContext(ctx, q, l.ttl.Milliseconds(), l.instance).Scan(&n); err != nil {
		return 0, fmt.Errorf("count live instances: %w", err)
	}
	return n, nil
}

// Leave removes the instance's announcement, so the others count it
// out at once instead of after the lease time.
func (l *Leases) Leave(ctx context.Context) error {
	const q = `DELETE FROM center_instances WHERE instance_id = $1`
	if _, err := l.db.ExecContext(ctx, q, l.instance); err != nil {
		return fmt.Errorf("leave as %s: %w", l.instance, err)
	}
	return nil
}

// Table returns the lease table's rows, by partition. A partition that
// was never leased has no row.
func (l *Leases) Table(ctx context.Context) ([]Row, error) {
	const q = `SELECT partition, owner, epoch, expires_at <= ` + nowMS + `
		FROM partition_leases ORDER BY partition`
	rows, err := l.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read partition leases: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Partition, &r.Owner, &r.Epoch, &r.Free); err != nil {
			return nil, fmt.Errorf("read partition leases: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read partition leases: %w", err)
	}
	return out, nil
}

// acquireSQL takes each listed partition that has no lease, or whose
// lease has expired, in one statement: two instances racing for a
// partition both run it, and the row lock lets exactly one through.
const acquireSQL = `INSERT INTO partition_leases AS l
		(partition, owner, expires_at, epoch)
	SELECT p::int, $1, ` + nowMS + ` + $2, 1 FROM unnest($3::bigint[]) AS p
	ON CONFLICT (partition) DO UPDATE
		SET owner = excluded.owner, expires_at = excluded.expires_at,
			epoch = l.epoch + 1
		WHERE l.expires_at <= ` + nowMS + `
	RETURNING partition, epoch`

// Acquire tries to take the partitions and returns the leases it got;
// partitions held by another live lease are left alone.
func (l *Leases) Acquire(ctx context.Context, partitions []int) ([]Lease, error) {
	if len(partitions) == 0 {
		return nil, nil
	}
	// The same order everywhere, so two instances lock rows in the same
	// sequence and cannot deadlock.
	ps := make([]int64, len(partitions))
	for i, p := range partitions {
		ps[i] = int64(p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return l.leases(ctx, "acquire partitions", acquireSQL,
		l.instance, l.ttl.Milliseconds(), ps)
}

// renewSQL extends the leases still held at their epochs. An expired
// lease that nobody took is renewed too: its epoch proves that no one
// else held it meanwhile.
const renewSQL = `UPDATE partition_leases AS l
	SET expires_at = ` + nowMS + ` + $2
	FROM unnest($3::bigint[], $4::bigint[]) AS h(partition, epoch)
	WHERE l.partition = h.partition AND l.epoch = h.epoch AND l.owner = $1
	RETURNING l.partition, l.epoch`

// Renew extends held and returns the leases still held; a missing one
// was taken by another instance after it expired.
func (l *Leases) Renew(ctx context.Context, held []Lease) ([]Lease, error) {
	if len(held) == 0 {
		return nil, nil
	}
	ps, es := split(held)
	return l.leases(ctx, "renew partition leases", renewSQL,
		l.instance, l.ttl.Milliseconds(), ps, es)
}

// Release gives a lease back: the partition is free at once.
func (l *Leases) Release(ctx context.Context, lease Lease) error {
	const q = `UPDATE partition_leases SET owner = '', expires_at = 0
		WHERE partition = $1 AND epoch = $2 AND owner = $3`
	_, err := l.db.ExecContext(ctx, q, lease.Partition, lease.Epoch, l.instance)
	if err != nil {
		return fmt.Errorf("release partition %d: %w", lease.Partition, err)
	}
	return nil
}

// ErrFenced is returned by Check when a lease a transaction depends on
// is no longer held at its epoch: another instance owns the partition
// now, and the transaction must not commit.
var ErrFenced = errors.New("partition lease lost")

// fenceSQL locks the lease rows in share mode until the transaction
// ends: an instance taking one over waits for this commit, and reads the
// partition's state only after it.
const fenceSQL = `SELECT l.partition FROM partition_leases AS l,
		unnest($2::bigint[], $3::bigint[]) AS h(partition, epoch)
	WHERE l.partition = h.partition AND l.epoch = h.epoch AND l.owner = $1
	FOR SHARE OF l`

// Check verifies, inside tx, that the instance still holds leases at
// their epochs, and keeps them from moving until tx ends.
func (l *Leases) Check(ctx context.Context, tx *sql.Tx, leases []Lease) error {
	if len(leases) == 0 {
		return nil
	}
	ps, es := split(leases)
	rows, err := tx.QueryContext(ctx, fenceSQL, l.instance, ps, es)
	if err != nil {
		return fmt.Errorf("check partition leases: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check partition leases: %w", err)
	}
	if n != len(leases) {
		return fmt.Errorf("check partition leases: %d of %d held: %w",
			n, len(leases), ErrFenced)
	}
	return nil
}

func (l *Leases) leases(ctx context.Context, what, q string, args ...any) ([]Lease, error) {
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []Lease
	for rows.Next() {
		var ls Lease
		if err := rows.Scan(&ls.Partition, &ls.Epoch); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, ls)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func split(leases []Lease) (partitions, epochs []int64) {
	partitions = make([]int64, len(leases))
	epochs = make([]int64, len(leases))
	for i, ls := range leases {
		partitions[i], epochs[i] = int64(ls.Partition), ls.Epoch
	}
	return partitions, epochs
}
