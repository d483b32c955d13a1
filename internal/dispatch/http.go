package dispatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// Formats of the report over HTTP.
const (
	FormatJSON = "json"
	FormatHTML = "html"
	FormatCSV  = "csv"
)

// Handler serves GET /api/v1/dispatch?date=YYYY-MM-DD&format=json|html|csv
// (whatever the path: the caller mounts it). date defaults to yesterday
// and format to json. It needs the principal that auth.Middleware puts
// into the request's context: city roles get the whole city, a district
// operator their district; other roles get 403.
func Handler(r *Reporter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.serve(w, req)
	})
}

func (r *Reporter) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed",
			req.Method+" not allowed")
		return
	}
	p, ok := auth.FromContext(req.Context())
	if !ok {
		writeError(w, http.StatusUnauthorized, "unauthorized",
			"request not authenticated")
		return
	}
	district, err := scope(p)
	if err != nil {
		writeError(w, http.StatusForbidden, "forbidden", err.Error())
		return
	}
	date, format, err := r.params(req.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	rep, err := r.Build(req.Context(), date, district)
	switch {
	case errors.Is(err, ErrFutureDay) || errors.Is(err, ErrBadDate):
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	case err != nil:
		r.log.Error("dispatch report failed", "date", date, "err", err)
		writeError(w, http.StatusInternalServerError, "internal",
			"the report could not be built; see the center's log")
		return
	}
	r.write(w, rep, format)
}

// scope returns the district p's report is narrowed to ("" for all), or
// an error when p may not read the report.
func scope(p auth.Principal) (string, error) {
	switch p.Role {
	case hazard.CityAdmin, hazard.CityOperator:
		return "", nil
	case hazard.DistrictOperator:
		if p.District != "" {
			return p.District, nil
		}
	}
	return "", fmt.Errorf("%s %s may not read the dispatch report",
		p.Role, p.Name)
}

// params reads date and format, refusing unknown parameters so that a
// misspelt one never yields a report the caller did not ask for.
func (r *Reporter) params(q url.Values) (date, format string, err error) {
	for k := range q {
		if k != "date" && k != "format" {
			return "", "", fmt.Errorf("unknown parameter %q", k)
		}
	}
	date, format = q.Get("date"), q.Get("format")
	if date == "" {
		date = r.Yesterday()
	}
	switch format {
	case "":
		format = FormatJSON
	case FormatJSON, FormatHTML, FormatCSV:
	default:
		return "", "", fmt.Errorf("format %q, want json, html or csv", format)
	}
	return date, format, nil
}

func (r *Reporter) write(w http.ResponseWriter, rep *Report, format string) {
	name := "dispatch-" + rep.Date
	if rep.District != "" {
		name += "-" + rep.District
	}
	var err error
	switch format {
	case FormatHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err = WriteHTML(w, rep)
	case FormatCSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition",
			"attachment; filename*=UTF-8''"+url.PathEscape(name+".csv"))
		err = WriteCSV(w, rep)
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		err = json.NewEncoder(w).Encode(rep)
	}
	if err != nil {
		// Headers are gone; a client that hung up is not the center's fault.
		r.log.Warn("dispatch report not sent", "date", rep.Date, "err", err)
	}
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg, "code": code})
}
