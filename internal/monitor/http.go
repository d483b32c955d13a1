package monitor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// maxBody bounds an action's request body.
const maxBody = 64 << 10

// errNoAuth answers actions when Deps.Actor is not set.
var errNoAuth = errors.New("operator actions need authentication, " +
	"and none is configured")

// badRequest marks an error in the request itself (HTTP 400).
type badRequest struct{ err error }

func (e badRequest) Error() string { return e.err.Error() }
func (e badRequest) Unwrap() error { return e.err }

func badf(format string, args ...any) error {
	return badRequest{fmt.Errorf(format, args...)}
}

// Handler serves the alarm API:
//
//	GET  /api/v1/alarms?enterprise=&district=&state=&level=&active=&condition=
//	POST /api/v1/alarms/{enterprise}/{point}/{condition}/ack            {"comment"}
//	POST /api/v1/alarms/{enterprise}/{point}/{condition}/shelve         {"reason", "until"}
//	POST /api/v1/alarms/{enterprise}/{point}/{condition}/unshelve       {"comment"}
//	POST /api/v1/alarms/{enterprise}/{point}/{condition}/out-of-service {"reason"}
//	POST /api/v1/alarms/{enterprise}/{point}/{condition}/in-service     {"comment"}
//	GET  /api/v1/alarms/journal?enterprise=&point=&condition=&from=&to=&limit=
//	GET  /api/v1/alarms/kpi
//	GET  /api/v1/points?enterprise=
//
// A gateway's alarm has the point "gateway:<id>" and the condition
// gateway_offline. Actions answer the alarm after the action, or an error
// {"error": "..."}: 401 when Deps.Actor refuses the request, 404 for an
// unknown alarm, 409 when the alarm's state forbids the action, 400 for
// a bad request, 500 when the journal could not be written.
func (m *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/alarms", m.serveAlarms)
	mux.HandleFunc("GET /api/v1/alarms/journal", m.serveJournal)
	mux.HandleFunc("GET /api/v1/alarms/kpi", func(w http.ResponseWriter,
		_ *http.Request) {
		writeJSON(w, http.StatusOK, m.KPI())
	})
	mux.HandleFunc("GET /api/v1/points", func(w http.ResponseWriter,
		r *http.Request) {
		writeJSON(w, http.StatusOK, m.Points(r.URL.Query().Get("enterprise")))
	})
	const action = "POST /api/v1/alarms/{enterprise}/{point}/{condition}/"
	mux.Handle(action+"ack", m.action(m.ack))
	mux.Handle(action+"shelve", m.action(m.shelve))
	mux.Handle(action+"unshelve", m.action(m.unshelve))
	mux.Handle(action+"out-of-service", m.action(m.removeFromService))
	mux.Handle(action+"in-service", m.action(m.returnToService))
	return mux
}

// actionBody is the body of every action; each reads its own fields.
type actionBody struct {
	Comment string `json:"comment"`
	Reason  string `json:"reason"`
	Until   string `json:"until"`
}

type actionFunc func(r *http.Request, k alarm.Key, actor string,
	b actionBody) (AlarmView, error)

// action authenticates, names the alarm, reads the body and runs do.
func (m *Monitor) action(do actionFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := m.actor(r)
		if err != nil {
			writeError(w, http.StatusUnauthorized, err)
			return
		}
		c, err := rules.ParseCondition(r.PathValue("condition"))
		if err != nil {
			writeError(w, http.StatusNotFound,
				fmt.Errorf("%w: %w", ErrUnknownAlarm, err))
			return
		}
		k := PointAlarmKey(r.PathValue("enterprise"), r.PathValue("point"), c)
		var b actionBody
		if err := decodeBody(w, r, &b); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		v, err := do(r, k, actor, b)
		if err != nil {
			writeError(w, errorStatus(err), err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

func (m *Monitor) actor(r *http.Request) (string, error) {
	if m.deps.Actor == nil {
		return "", errNoAuth
	}
	actor, err := m.deps.Actor(r)
	if err != nil {
		return "", fmt.Errorf("authenticate: %w", err)
	}
	if actor == "" {
		return "", errors.New("authenticate: no operator")
	}
	return actor, nil
}

// decodeBody reads a JSON body strictly; an empty body is an empty
// object.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}

func (m *Monitor) ack(r *http.Request, k alarm.Key, actor string,
	b actionBody) (AlarmView, error) {
	return m.Acknowledge(r.Context(), k, actor, b.Comment)
}

func (m *Monitor) shelve(r *http.Request, k alarm.Key, actor string,
	b actionBody) (AlarmView, error) {
	until, err := time.Parse(time.RFC3339, b.Until)
	if err != nil {
		return AlarmView{}, badf("until: %q, want an RFC 3339 time",
			b.Until)
	}
	return m.Shelve(r.Context(), k, actor, b.Reason, until)
}

func (m *Monitor) unshelve(r *http.Request, k alarm.Key, actor string,
	b actionBody) (AlarmView, error) {
	return m.Unshelve(r.Context(), k, actor, b.Comment)
}

func (m *Monitor) removeFromService(r *http.Request, k alarm.Key,
	actor string, b actionBody) (AlarmView, error) {
	return m.RemoveFromService(r.Context(), k, actor, b.Reason)
}

func (m *Monitor) returnToService(r *http.Request, k alarm.Key,
	actor string, b actionBody) (AlarmView, error) {
	return m.ReturnToService(r.Context(), k, actor, b.Comment)
}

// errorStatus maps an action's error to its HTTP status.
func errorStatus(err error) int {
	var ae *alarm.Error
	var br badRequest
	switch {
	case errors.Is(err, ErrUnknownAlarm):
		return http.StatusNotFound
	case errors.As(err, &ae) && ae.Conflict():
		return http.StatusConflict
	case errors.As(err, &ae), errors.As(err, &br):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func (m *Monitor) serveAlarms(w http.ResponseWriter, r *http.Request) {
	f, err := parseAlarmFilter(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, m.Alarms(f))
}

func parseAlarmFilter(q url.Values) (AlarmFilter, error) {
	f := AlarmFilter{Enterprise: q.Get("enterprise"),
		District: q.Get("district")}
	if s := q.Get("state"); s != "" {
		st, err := alarm.ParseState(s)
		if err != nil {
			return f, fmt.Errorf("state: %w", err)
		}
		f.State = &st
	}
	if s := q.Get("level"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 2 {
			return f, fmt.Errorf("level: %q, want 1 or 2", s)
		}
		f.Level = n
	}
	if s := q.Get("active"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return f, fmt.Errorf("active: %q, want true or false", s)
		}
		f.Active = &b
	}
	c, err := parseCondition(q.Get("condition"))
	f.Condition = c
	return f, err
}

func parseCondition(s string) (rules.Condition, error) {
	if s == "" {
		return 0, nil
	}
	c, err := rules.ParseCondition(s)
	if err != nil {
		return 0, fmt.Errorf("condition: %w", err)
	}
	return c, nil
}

func (m *Monitor) serveJournal(w http.ResponseWriter, r *http.Request) {
	q, err := parseJournalQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	es, err := m.Journal(r.Context(), q)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, es)
}

func parseJournalQuery(v url.Values) (JournalQuery, error) {
	q := JournalQuery{Enterprise: v.Get("enterprise"), Point: v.Get("point")}
	var err error
	if q.Condition, err = parseCondition(v.Get("condition")); err != nil {
		return q, err
	}
	if q.From, err = parseTime("from", v.Get("from")); err != nil {
		return q, err
	}
	if q.To, err = parseTime("to", v.Get("to")); err != nil {
		return q, err
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxJournalLimit {
			return q, fmt.Errorf("limit: %q, want 1 to %d", s,
				MaxJournalLimit)
		}
		q.Limit = n
	}
	return q, nil
}

func parseTime(key, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%s: %q, want an RFC 3339 time", key, s)
	}
	return t, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
