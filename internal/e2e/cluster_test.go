package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/loadgen"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
	"github.com/hazardwatch/hazardwatch/internal/testsvc"
)

// The cluster under test: partitions and lease timing.
const (
	clusterPartitions = 8
	clusterLeaseTTL   = 6 * time.Second
	clusterRenewEvery = 2 * time.Second
)

// clusterNode is one center instance of the cluster, run as a process.
type clusterNode struct {
	id   string
	http string
	cmd  *exec.Cmd
}

// Three center instances share 20 enterprises in 8 partitions leased
// through PostgreSQL. One is killed with SIGKILL under load: its
// partitions move to the other two within about the lease time, every
// reading sent is stored, and no alarm episode and no hazard record is
// there twice.
func TestClusterInstanceKilledLosesNothing(t *testing.T) {
	r := newLoadRig(t)
	storeCfg := storetest.Config(t, store.Postgres)
	db, err := sql.Open("pgx", storeCfg.DSN.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	fleet := r.fleet(40 * time.Second)
	fleet.Gateways, fleet.GatewaysPerEnterprise, fleet.Points = 20, 1, 20
	fleet.CrossEvery = 7
	regPath := r.registryFileFor(fleet)
	bin := buildCommand(t, "hw-center")

	// Step 1: three instances; wait until they hold every partition
	// between them, fairly, and their sessions are subscribed.
	nodes := make([]*clusterNode, 3)
	for i := range nodes {
		nodes[i] = startClusterNode(t, bin, fmt.Sprintf("center-%c", 'a'+i),
			r, storeCfg.DSN.Reveal(), regPath)
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.stop()
		}
	})
	waitFor(t, 90*time.Second, "the partitions to be shared fairly", func() bool {
		owners := leaseOwners(t, db)
		return len(owners) == clusterPartitions && maxPerOwner(owners) <= 3
	})
	for _, n := range nodes {
		waitFor(t, 30*time.Second, n.id+" to subscribe", n.healthy)
	}
	t.Logf("partitions before: %v", leaseOwners(t, db))

	// Step 2: load, and kill the instance with the most partitions.
	victim := nodes[0]
	for _, n := range nodes {
		if countOwned(leaseOwners(t, db), n.id) > countOwned(leaseOwners(t, db), victim.id) {
			victim = n
		}
	}
	type takeover struct {
		lost    []int
		elapsed time.Duration
	}
	moved := make(chan takeover, 1)
	go func() {
		time.Sleep(12 * time.Second)
		lost := ownedBy(leaseOwners(t, db), victim.id)
		killed := time.Now()
		_ = victim.cmd.Process.Signal(syscall.SIGKILL)
		_ = victim.cmd.Wait()
		victim.cmd = nil
		deadline := killed.Add(clusterLeaseTTL + 4*clusterRenewEvery + 10*time.Second)
		for time.Now().Before(deadline) {
			owners := leaseOwners(t, db)
			if len(owners) == clusterPartitions && countOwned(owners, victim.id) == 0 {
				moved <- takeover{lost: lost, elapsed: time.Since(killed)}
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		moved <- takeover{lost: lost, elapsed: -1}
	}()
	rep, err := loadgen.Run(context.Background(), fleet)
	if err != nil {
		t.Fatal(err)
	}
	tk := <-moved
	if tk.elapsed < 0 {
		t.Fatalf("partitions %v of the killed %s not re-owned in time; leases: %v",
			tk.lost, victim.id, leaseOwners(t, db))
	}
	t.Logf("killed %s holding partitions %v; all re-owned %v later (lease_ttl %v, renew_every %v)",
		victim.id, tk.lost, tk.elapsed.Round(100*time.Millisecond), clusterLeaseTTL, clusterRenewEvery)
	t.Logf("partitions after: %v", leaseOwners(t, db))

	// Step 3: nothing lost, nothing twice.
	r.expectAll(rep)
	checkNoDoubleEpisodes(t, db, rep)
}

func startClusterNode(t *testing.T, bin, id string, r *loadRig, dsn, regPath string) *clusterNode {
	t.Helper()
	n := &clusterNode{id: id, http: fmt.Sprintf("127.0.0.1:%d", testsvc.FreePort(t))}
	conf := fmt.Sprintf(`http: {listen: %q}
mqtt: {broker: %q, client_id: hw-center-unused}
influx: {url: %q, bucket: hw/autogen, create_database: true, retry_max: 1s}
store: {driver: postgres, dsn: %q}
registry: {path: %q}
hazard: {policy: %q}
log: {level: warn}
cluster:
  partitions: %d
  instance_id: %s
  lease_ttl: %s
  renew_every: %s
  client_id_prefix: hw-cluster-p
`, n.http, r.broker.URL(), r.influx.URL(), dsn, regPath,
		repoFile("configs/hazard-policy.yaml"), clusterPartitions, id,
		clusterLeaseTTL, clusterRenewEvery)
	path := filepath.Join(t.TempDir(), id+".yaml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	n.cmd = exec.Command(bin, "-config", path)
	n.cmd.Stderr = os.Stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *clusterNode) healthy() bool {
	resp, err := http.Get("http://" + n.http + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (n *clusterNode) stop() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	_ = n.cmd.Wait()
	n.cmd = nil
}

// leaseOwners returns the owner of every partition whose lease is live;
// none while the instances have not created the table yet.
func leaseOwners(t testing.TB, db *sql.DB) map[int]string {
	t.Helper()
	out := map[int]string{}
	rows, err := db.Query(`SELECT partition, owner FROM partition_leases
		WHERE owner <> '' AND expires_at > (extract(epoch from now()) * 1000)::bigint`)
	if err != nil {
		return out // not migrated yet
	}
	defer rows.Close()
	for rows.Next() {
		var p int
		var owner string
		if err := rows.Scan(&p, &owner); err != nil {
			t.Errorf("read leases: %v", err)
			return out
		}
		out[p] = owner
	}
	return out
}

func maxPerOwner(owners map[int]string) int {
	n := map[string]int{}
	most := 0
	for _, o := range owners {
		n[o]++
		most = max(most, n[o])
	}
	return most
}

func countOwned(owners map[int]string, id string) int { return len(ownedBy(owners, id)) }

func ownedBy(owners map[int]string, id string) []int {
	var out []int
	for p, o := range owners {
		if o == id {
			out = append(out, p)
		}
	}
	sort.Ints(out)
	return out
}

// checkNoDoubleEpisodes fails when an alarm episode was opened twice in
// the journal, when an alarm's journal does not go on from its previous
// row (an owner that did not continue the state it took over), or when
// one episode, or one point and condition, has two hazard records. It
// also wants the crossings to have raised alarms at all.
//
// An episode may hold several "activated" rows: an alarm that comes back
// while it is still unacknowledged (rtn_unacked) stays in its episode
// (ISA-18.2), and nobody acknowledges here. An episode is opened by the
// activation from normal.
func checkNoDoubleEpisodes(t *testing.T, db *sql.DB, rep loadgen.Report) {
	t.Helper()
	count := func(q string) int {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	activations := count(`SELECT count(*) FROM alarm_journal WHERE kind = 'activated'`)
	opened := count(`SELECT count(*) FROM alarm_journal
		WHERE kind = 'activated' AND from_state = 'normal'`)
	records := count(`SELECT count(*) FROM hazard_records WHERE origin = 'alarm'`)
	episodes := count(`SELECT count(*) FROM hazard_alarm_episodes`)
	t.Logf("%d crossings sent; %d activations journalled in %d episodes; "+
		"%d hazard records, %d episodes counted by the ledger",
		rep.Crossings, activations, opened, records, episodes)
	if activations == 0 || records == 0 {
		t.Fatal("the crossings raised no alarm or no hazard record")
	}
	checks := []struct{ what, q string }{
		{"alarm episodes opened twice", `SELECT count(*) FROM (
			SELECT 1 FROM alarm_journal
			WHERE kind = 'activated' AND from_state = 'normal'
			GROUP BY enterprise, point, alarm_condition, episode
			HAVING count(*) > 1) d`},
		{"journal rows that do not go on from their alarm's previous row", `SELECT count(*) FROM (
			SELECT from_state, episode,
				lag(to_state) OVER w AS prev_state, lag(episode) OVER w AS prev_episode
			FROM alarm_journal
			WINDOW w AS (PARTITION BY enterprise, point, alarm_condition ORDER BY id)) j
			WHERE prev_state IS NOT NULL
				AND (from_state <> prev_state OR episode < prev_episode)`},
		{"ledger episodes with two records", `SELECT count(*) FROM (
			SELECT 1 FROM hazard_alarm_episodes
			GROUP BY point_id, alarm_condition, episode
			HAVING count(DISTINCT record_id) > 1) d`},
		{"points and conditions with two unresolved records", `SELECT count(*) FROM (
			SELECT 1 FROM hazard_records WHERE origin = 'alarm'
				AND status IN ('open', 'rectifying', 'awaiting_verification')
			GROUP BY point_id, alarm_condition HAVING count(*) > 1) d`},
	}
	for _, c := range checks {
		if n := count(c.q); n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
}
