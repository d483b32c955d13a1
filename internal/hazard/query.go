package hazard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/store"
)

// Page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Filter selects records for List, ExportCSV and (time range only) Stats.
// Zero fields do not filter.
type Filter struct {
	District   string
	Enterprise string
	Grade      Grade
	Status     Status
	// Overdue selects records that are (true) or are not (false) overdue
	// as Record.Overdue defines it, at the ledger's now.
	Overdue *bool
	// From and To bound the creation time: From <= created < To.
	From, To time.Time
	// Limit is the page size: DefaultLimit when 0, at most MaxLimit.
	Limit int
	// After is the cursor: Page.Next of the previous page.
	After int64
}

// Page is one page of List, newest record first.
type Page struct {
	Records []*Record `json:"records"`
	// Next is the cursor of the following page, 0 on the last page.
	Next int64 `json:"next,omitempty"`
}

func (f Filter) validate() error {
	switch {
	case f.Grade != "" && !f.Grade.Valid():
		return invalid("grade %q, want general or major", f.Grade)
	case f.Status != "" && !f.Status.Valid():
		return invalid("status %q", f.Status)
	case f.Limit < 0 || f.Limit > MaxLimit:
		return invalid("limit %d, want 0 to %d", f.Limit, MaxLimit)
	case f.After < 0:
		return invalid("cursor %d", f.After)
	}
	return nil
}

// List returns one page of the records that f selects and a may see.
// Pages are by id, newest first (keyset pagination): a page costs the
// same on page 1 and page 10,000, and records created meanwhile do not
// shift later pages.
func (l *Ledger) List(ctx context.Context, f Filter, a Actor) (Page, error) {
	if err := a.validate(); err != nil {
		return Page{}, err
	}
	if err := f.validate(); err != nil {
		return Page{}, fmt.Errorf("list records: %w", err)
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	recs, err := l.selectRecords(ctx, f, a, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("list records: %w", err)
	}
	p := Page{Records: recs}
	if len(recs) > limit {
		p.Records = recs[:limit]
		p.Next = recs[limit-1].ID
	}
	return p, nil
}

func (l *Ledger) selectRecords(ctx context.Context, f Filter, a Actor, n int) ([]*Record, error) {
	w := l.where(f, a)
	if f.After > 0 {
		w.add("id < ?", f.After)
	}
	query := "SELECT " + recordColumns + " FROM hazard_records" + w.sql() +
		" ORDER BY id DESC LIMIT ?"
	rows, err := l.db.Reader().QueryContext(ctx, l.q(query), append(w.args, n)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns record id with its history, if a may see it.
func (l *Ledger) Get(ctx context.Context, id int64, a Actor) (*Record, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	r, err := l.load(ctx, l.db.Reader(), id)
	if err != nil {
		return nil, err
	}
	if !l.sees(a, r) {
		return nil, fmt.Errorf("read record %d: %w: out of %s %s's scope",
			id, ErrForbidden, a.Role, a.ID)
	}
	if r.History, err = l.history(ctx, id); err != nil {
		return nil, err
	}
	return r, nil
}

func (l *Ledger) history(ctx context.Context, id int64) ([]Entry, error) {
	rows, err := l.db.Reader().QueryContext(ctx, l.q(`SELECT id, at, actor,
		role, action, from_status, to_status, comment FROM hazard_history
		WHERE record_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, fmt.Errorf("read history of record %d: %w", id, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		err := rows.Scan(&e.ID, &at, &e.Actor, &e.Role, &e.Action, &e.From,
			&e.To, &e.Comment)
		if err != nil {
			return nil, fmt.Errorf("read history of record %d: %w", id, err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// where is a WHERE clause under construction.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// overdueSQL is Record.Overdue in SQL; its one argument is now.
const overdueSQL = `(overdue_stage <> 'none' OR
	(status IN ('open', 'rectifying') AND deadline < ?))`

// where translates f and a's scope into a WHERE clause.
func (l *Ledger) where(f Filter, a Actor) *where {
	w := &where{}
	l.scope(w, a)
	// A fixed order keeps the query text stable for statement caches.
	for _, c := range [...]struct{ col, v string }{
		{"district", f.District}, {"enterprise", f.Enterprise},
		{"grade", string(f.Grade)}, {"status", string(f.Status)},
	} {
		if c.v != "" {
			w.add(c.col+" = ?", c.v)
		}
	}
	if f.Overdue != nil {
		cond := overdueSQL
		if !*f.Overdue {
			cond = "NOT " + overdueSQL
		}
		w.add(cond, l.now().UnixMilli())
	}
	if !f.From.IsZero() {
		w.add("created_at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		w.add("created_at < ?", f.To.UnixMilli())
	}
	return w
}

// scope restricts w to what a may see; it mirrors Ledger.sees.
func (l *Ledger) scope(w *where, a Actor) {
	switch a.Role {
	case DistrictOperator:
		w.add("district = ?", a.District)
	case EnterpriseUser:
		w.add("enterprise = ?", a.Enterprise)
	case Department:
		l.departmentScope(w, a.Unit)
	case CityAdmin, CityOperator:
	default:
		w.add("1 = 0")
	}
}

func (l *Ledger) departmentScope(w *where, unit string) {
	r := l.policy.Routing
	inds, isDefault := r.industriesOf(unit)
	conds := []string{"responsible_unit = ?"}
	args := []any{unit}
	if len(inds) > 0 {
		conds = append(conds, "industry IN ("+store.Placeholders(len(inds))+")")
		args = appendStrings(args, inds)
	}
	if isDefault {
		listed := make([]string, 0, len(r.Departments))
		for ind := range r.Departments {
			listed = append(listed, ind)
		}
		cond := "1 = 1"
		if len(listed) > 0 {
			cond = "industry NOT IN (" + store.Placeholders(len(listed)) + ")"
		}
		conds = append(conds, cond)
		args = appendStrings(args, listed)
	}
	w.add("("+strings.Join(conds, " OR ")+")", args...)
}

func appendStrings(args []any, ss []string) []any {
	for _, s := range ss {
		args = append(args, s)
	}
	return args
}
