package hazardapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// exportName is the file name a browser saves the export as; the ASCII
// name is for clients that do not read RFC 5987's filename*.
const exportName = "隐患台账.csv"

// export streams the ledger as CSV for Excel (UTF-8 with a byte order
// mark, which ExportCSV writes). Errors found before the first byte are
// answered as JSON; a failure in the middle of the stream aborts the
// connection, so the client sees a broken download rather than a file
// that looks complete.
func (a *api) export(w http.ResponseWriter, r *http.Request) {
	who, ok := a.actor(w, r)
	if !ok {
		return
	}
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cw := &csvWriter{w: w}
	err = a.l.ExportCSV(r.Context(), cw, f, who)
	switch {
	case err == nil:
		cw.start()
	case !cw.started:
		a.fail(w, r, err)
	default:
		if !errors.Is(err, context.Canceled) {
			a.log.Error("hazard export interrupted", "actor", who.ID, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
}

// csvWriter sends the CSV headers with the first byte, so an error before
// it can still be answered with an error status.
type csvWriter struct {
	w       http.ResponseWriter
	started bool
}

func (c *csvWriter) start() {
	if c.started {
		return
	}
	c.started = true
	h := c.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="hazards.csv"; `+
		"filename*=UTF-8''"+url.PathEscape(exportName))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	c.w.WriteHeader(http.StatusOK)
}

// Write implements io.Writer.
func (c *csvWriter) Write(p []byte) (int, error) {
	c.start()
	return c.w.Write(p)
}

// statsParams are the query parameters of the stats.
var statsParams = map[string]bool{"from": true, "to": true, "by": true}

// groupStats is hazard.GroupStats with the mean time to close in
// seconds; a Go duration would marshal as nanoseconds.
type groupStats struct {
	Key                    string  `json:"key"`
	Total                  int64   `json:"total"`
	Closed                 int64   `json:"closed"`
	Cancelled              int64   `json:"cancelled"`
	Overdue                int64   `json:"overdue"`
	RectificationRate      float64 `json:"rectification_rate"`
	OverdueRate            float64 `json:"overdue_rate"`
	MeanTimeToCloseSeconds float64 `json:"mean_time_to_close_seconds"`
}

// statsAnswer is the stats' answer; From and To are absent when open.
type statsAnswer struct {
	By     hazard.GroupBy `json:"by"`
	From   time.Time      `json:"from,omitzero"`
	To     time.Time      `json:"to,omitzero"`
	Groups []groupStats   `json:"groups"`
}

func (a *api) stats(r *http.Request, who hazard.Actor) (int, any, error) {
	q := r.URL.Query()
	if err := onlyParams(q, statsParams); err != nil {
		return 0, nil, err
	}
	from, to, err := timeRange(q)
	if err != nil {
		return 0, nil, err
	}
	by := hazard.GroupBy(q.Get("by"))
	if by == "" {
		by = hazard.ByDistrict
	}
	gs, err := a.l.Stats(r.Context(), from, to, by, who)
	if err != nil {
		return 0, nil, err
	}
	out := statsAnswer{By: by, From: from, To: to, Groups: []groupStats{}}
	for _, g := range gs {
		out.Groups = append(out.Groups, groupStats{Key: g.Key, Total: g.Total,
			Closed: g.Closed, Cancelled: g.Cancelled, Overdue: g.Overdue,
			RectificationRate: g.RectificationRate, OverdueRate: g.OverdueRate,
			MeanTimeToCloseSeconds: g.MeanTimeToClose.Seconds()})
	}
	return http.StatusOK, out, nil
}
