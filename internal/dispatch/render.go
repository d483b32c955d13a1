package dispatch

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

//go:embed templates/report.html
var templateFS embed.FS

// page is the HTML report's template, parsed once.
var page = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"groups": func(title string, rows any) map[string]any {
		return map[string]any{"Title": title, "Rows": rows}
	},
	"lags": func(title string, pct bool, rows []Lag) map[string]any {
		return map[string]any{"Title": title, "Pct": pct, "Rows": rows}
	},
	"alarmLabel": alarmLabel,
	"grade":      gradeLabel,
	"kind":       kindLabel,
	"pct":        percent,
	"secs":       seconds,
	"stamp":      func(t time.Time) string { return t.Format("2006-01-02 15:04") },
	"date":       func(t time.Time) string { return t.Format(DateLayout) },
}).ParseFS(templateFS, "templates/report.html"))

// levelLabels names the alarm levels as the national standard does.
var levelLabels = map[string]string{
	"0": "无级别（网关离线等）", "1": "一级报警", "2": "二级报警",
}

func alarmLabel(title string, g AlarmGroup) string {
	switch {
	case title == "级别" && levelLabels[g.Key] != "":
		return levelLabels[g.Key]
	case g.Name != "":
		return g.Name + "（" + g.Key + "）"
	}
	return g.Key
}

func gradeLabel(g hazard.Grade) string {
	switch g {
	case hazard.General:
		return "一般隐患"
	case hazard.Major:
		return "重大隐患"
	}
	return string(g)
}

func kindLabel(k LagKind) string {
	if k == LagDepartment {
		return "责任单位"
	}
	return "区县"
}

// percent writes a fraction as a percentage with one decimal.
func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

// seconds writes a duration in seconds the way people read it.
func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	switch {
	case d == 0:
		return "0秒"
	case d < time.Minute:
		return fmt.Sprintf("%d秒", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d分%d秒", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d小时%d分", int(d.Hours()), int(d.Minutes())%60)
}

// WriteHTML writes rep as a print-friendly HTML page without external
// assets. It renders into memory first, so a failure writes nothing.
func WriteHTML(w io.Writer, rep *Report) error {
	var b bytes.Buffer
	if err := page.Execute(&b, rep); err != nil {
		return fmt.Errorf("render dispatch report: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write dispatch report: %w", err)
	}
	return nil
}

// bom makes Excel read the CSV as UTF-8 instead of the locale's GBK.
const bom = "\uFEFF"

// WriteCSV writes rep as one CSV file (UTF-8 with a byte order mark,
// CRLF) of several sections. Each section is a title row of one cell in
// 【】, a header row, the data rows and an empty row.
func WriteCSV(w io.Writer, rep *Report) error {
	var b bytes.Buffer
	b.WriteString(bom)
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	t := &csvTable{w: cw}
	t.section("每日调度报告", []string{"日期", "区县", "起", "止", "生成时间", "未完"},
		[]string{rep.Date, orCity(rep.District), rfc(rep.From),
			rfc(rep.Until), rfc(rep.GeneratedAt), yesNo(rep.Partial)})
	alarmSections(t, rep)
	hazardSections(t, rep)
	dataSections(t, rep)
	lagSections(t, rep)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("render dispatch csv: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write dispatch csv: %w", err)
	}
	return nil
}

// csvTable writes sections; encoding/csv keeps the first error.
type csvTable struct{ w *csv.Writer }

func (t *csvTable) section(title string, header []string, rows ...[]string) {
	_ = t.w.Write([]string{"【" + title + "】"})
	_ = t.w.Write(header)
	for _, r := range rows {
		for i := range r {
			r[i] = cell(r[i])
		}
		_ = t.w.Write(r)
	}
	_ = t.w.Write([]string{""})
}

// cell keeps Excel from running text as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

func alarmSections(t *csvTable, rep *Report) {
	head := []string{"", "报警次数", "已确认", "未确认", "平均确认用时(秒)"}
	for _, s := range []struct {
		title, col string
		rows       []AlarmGroup
	}{
		{"报警·按级别", "级别", rep.Alarms.ByLevel},
		{"报警·按区县", "区县", rep.Alarms.ByDistrict},
		{"报警·按企业", "企业", rep.Alarms.ByEnterprise},
	} {
		h := append([]string{s.col}, head[1:]...)
		if s.col == "企业" {
			h = append([]string{"企业代码", "企业名称", "区县"}, head[1:]...)
		}
		var rows [][]string
		for _, g := range s.rows {
			r := []string{g.Key}
			if s.col == "企业" {
				r = append(r, g.Name, g.District)
			}
			rows = append(rows, append(r, itoa(g.Activations),
				itoa(g.Acknowledged), itoa(g.Unacknowledged),
				num(g.MeanTimeToAck)))
		}
		t.section(s.title, h, rows...)
	}
}

func hazardSections(t *csvTable, rep *Report) {
	var rows [][]string
	for _, g := range rep.Hazards.ByDistrictGrade {
		rows = append(rows, []string{g.District, gradeLabel(g.Grade),
			itoa(g.Opened), itoa(g.Closed), itoa(g.OpenAtEnd),
			itoa(g.OverdueAtEnd)})
	}
	t.section("隐患·按区县和等级", []string{"区县", "等级", "新增", "已销号",
		"日终未销号", "逾期"}, rows...)
	for _, s := range []struct {
		title string
		rows  []hazard.GroupStats
	}{
		{"整改率·按区县", rep.Hazards.RatesByDistrict},
		{"整改率·按责任单位", rep.Hazards.RatesByUnit},
	} {
		rows = nil
		for _, g := range s.rows {
			rows = append(rows, []string{g.Key, i64(g.Total), i64(g.Closed),
				i64(g.Cancelled), i64(g.Overdue), num(g.RectificationRate),
				num(g.OverdueRate)})
		}
		t.section(s.title, []string{"单位", "建档", "已销号", "已撤销", "逾期",
			"整改率", "逾期率"}, rows...)
	}
}

func dataSections(t *csvTable, rep *Report) {
	var rows [][]string
	for _, g := range rep.Data.OfflineGateways {
		rows = append(rows, []string{g.Enterprise, g.Name, g.District,
			g.Gateway, itoa(g.Episodes), num(g.OfflineSeconds),
			yesNo(g.OfflineAtEnd)})
	}
	t.section("网关离线", []string{"企业代码", "企业名称", "区县", "网关",
		"离线次数", "离线时长(秒)", "日终仍离线"}, rows...)
	rows = nil
	for _, e := range rep.Data.Enterprises {
		rows = append(rows, []string{e.Enterprise, e.Name, e.District,
			itoa(e.Points), i64(e.Expected), i64(e.Received), i64(e.Bad),
			num(e.Completeness), itoa(e.Gateways), num(e.OfflineSeconds),
			num(e.OnlineRate)})
	}
	t.section("数据完整率与在线率·按企业", []string{"企业代码", "企业名称", "区县",
		"监测点", "应收", "实收", "坏值", "数据完整率", "网关数", "离线时长(秒)",
		"在线率"}, rows...)
	rows = nil
	for _, d := range rep.Data.Districts {
		rows = append(rows, []string{d.District, i64(d.Expected),
			i64(d.Received), num(d.Completeness)})
	}
	t.section("数据完整率·按区县", []string{"区县", "应收", "实收", "数据完整率"},
		rows...)
}

func lagSections(t *csvTable, rep *Report) {
	for _, s := range []struct {
		title string
		rows  []Lag
	}{
		{"约谈·数据完整率最低", rep.Lagging.Completeness},
		{"约谈·逾期隐患最多", rep.Lagging.Overdue},
		{"约谈·整改率最低", rep.Lagging.Rectification},
	} {
		var rows [][]string
		for _, l := range s.rows {
			rows = append(rows, []string{itoa(l.Rank), kindLabel(l.Kind),
				l.Name, num(l.Value)})
		}
		t.section(s.title, []string{"名次", "类别", "单位", "数值"}, rows...)
	}
}

func itoa(n int) string      { return strconv.Itoa(n) }
func i64(n int64) string     { return strconv.FormatInt(n, 10) }
func num(f float64) string   { return strconv.FormatFloat(f, 'f', -1, 64) }
func rfc(t time.Time) string { return t.Format(time.RFC3339) }

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func orCity(district string) string {
	if district == "" {
		return "全市"
	}
	return district
}
