package hazardapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// filterParams are the query parameters of the list and the export. An
// unknown parameter is refused, so a misspelt filter never silently
// returns everything.
var filterParams = map[string]bool{"district": true, "enterprise": true,
	"grade": true, "status": true, "overdue": true, "from": true, "to": true,
	"limit": true, "after": true}

// parseFilter reads a ledger filter from q. Malformed values are a bad
// request; well-formed but unknown grades or statuses are left to the
// ledger, which answers them as invalid (422).
func parseFilter(q url.Values) (hazard.Filter, error) {
	if err := onlyParams(q, filterParams); err != nil {
		return hazard.Filter{}, err
	}
	f := hazard.Filter{District: q.Get("district"),
		Enterprise: q.Get("enterprise"), Grade: hazard.Grade(q.Get("grade")),
		Status: hazard.Status(q.Get("status"))}
	var err error
	if s := q.Get("overdue"); s != "" {
		b, perr := strconv.ParseBool(s)
		if perr != nil {
			return f, badf("overdue %q: want true or false", s)
		}
		f.Overdue = &b
	}
	if f.From, f.To, err = timeRange(q); err != nil {
		return f, err
	}
	if f.Limit, err = intParam(q, "limit"); err != nil {
		return f, err
	}
	after, err := intParam(q, "after")
	f.After = int64(after)
	return f, err
}

func onlyParams(q url.Values, known map[string]bool) error {
	for k := range q {
		if !known[k] {
			return badf("unknown query parameter %q", k)
		}
	}
	return nil
}

// timeRange reads from and to, RFC 3339 times with an offset
// (2025-03-01T00:00:00+08:00), so a day boundary is never guessed.
func timeRange(q url.Values) (from, to time.Time, err error) {
	if from, err = timeParam(q, "from"); err != nil {
		return from, to, err
	}
	to, err = timeParam(q, "to")
	return from, to, err
}

func timeParam(q url.Values, key string) (time.Time, error) {
	s := q.Get(key)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, badf("%s %q: want an RFC 3339 time such as "+
			"2025-03-01T00:00:00+08:00 (in a URL, + is %%2B)", key, s)
	}
	return t, nil
}

func intParam(q url.Values, key string) (int, error) {
	s := q.Get(key)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badf("%s %q: want a whole number", key, s)
	}
	return n, nil
}

// recordID reads the {id} path value; an id that is no number names no
// record.
func recordID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badf("record id %q: want a positive number", s)
	}
	return id, nil
}

// decode reads the request's JSON body into dst strictly: unknown
// fields and trailing data are errors, so a misspelt field is never
// silently dropped. An empty body is {}. handle has bounded the body.
func decode(r *http.Request, dst any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if errors.Is(err, io.EOF) {
		return nil
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return err
	}
	if err != nil {
		return badf("request body: %w", err)
	}
	if dec.More() {
		return badf("request body: more than one JSON value")
	}
	return nil
}
