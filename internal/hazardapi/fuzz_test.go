package hazardapi

import (
	"net/url"
	"testing"
)

// FuzzParseFilter feeds arbitrary query strings to the list's filter
// parsing: it must not panic, and a filter it accepts has no negative
// page size.
func FuzzParseFilter(f *testing.F) {
	f.Add("district=%E6%B5%A6&grade=major&overdue=true&limit=20&after=5")
	f.Add("from=2025-03-01T00:00:00%2B08:00&to=2025-04-01T00:00:00Z")
	f.Add("limit=-1&after=99999999999999999999")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, err := parseFilter(q)
		if err == nil && q.Get("limit") == "" && fl.Limit != 0 {
			t.Fatalf("limit %d without a limit parameter", fl.Limit)
		}
	})
}
