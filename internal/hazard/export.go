package hazard

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// bom is the UTF-8 byte order mark. Excel reads a CSV file without it in
// the system's legacy code page (GBK on Chinese Windows) and garbles
// every Chinese character; with it, Excel reads UTF-8.
const bom = "\uFEFF"

// exportPage is how many records ExportCSV reads per query, so a large
// export never holds one long read open.
const exportPage = 1000

// csvHeader is the header row of ExportCSV.
var csvHeader = []string{"编号", "来源", "等级", "状态", "标题", "描述", "企业",
	"区县", "行业", "危险源", "危险源等级", "监测点", "报警条件", "发生次数",
	"责任层级", "责任单位", "创建时间", "期限", "逾期", "整改负责人", "整改措施",
	"整改资金(元)", "应急预案", "销号时间"}

var (
	originLabels = map[Origin]string{FromAlarm: "监测报警",
		FromInspection: "监督检查", FromSelfReport: "企业自查自报"}
	gradeLabels  = map[Grade]string{General: "一般隐患", Major: "重大隐患"}
	statusLabels = map[Status]string{Open: "待整改", Rectifying: "整改中",
		AwaitingVerification: "待验收", Closed: "已销号", Cancelled: "已撤销"}
	levelLabels = map[Level]string{DistrictLevel: "区县", CityLevel: "市级"}
	stageLabels = map[OverdueStage]string{NotOverdue: "否",
		Reminded: "逾期提醒", Supervised: "挂牌督办"}
)

// ExportCSV writes every record that f selects and a may see to w as CSV
// for Excel: UTF-8 with a byte order mark, Chinese headers and labels,
// CRLF line ends, dates in the ledger's time zone. f.Limit and f.After
// are ignored.
func (l *Ledger) ExportCSV(ctx context.Context, w io.Writer, f Filter, a Actor) error {
	if err := a.validate(); err != nil {
		return err
	}
	f.Limit, f.After = 0, 0
	if err := f.validate(); err != nil {
		return fmt.Errorf("export records: %w", err)
	}
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("export records: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("export records: %w", err)
	}
	if err := l.exportRows(ctx, cw, f, a); err != nil {
		return fmt.Errorf("export records: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export records: %w", err)
	}
	return nil
}

func (l *Ledger) exportRows(ctx context.Context, cw *csv.Writer, f Filter, a Actor) error {
	now := l.now()
	for {
		recs, err := l.selectRecords(ctx, f, a, exportPage)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := cw.Write(l.csvRow(r, now)); err != nil {
				return err
			}
		}
		if len(recs) < exportPage {
			return nil
		}
		f.After = recs[len(recs)-1].ID
	}
}

func (l *Ledger) csvRow(r *Record, now time.Time) []string {
	stage := stageLabels[r.OverdueStage]
	if r.OverdueStage == NotOverdue && r.Overdue(now) {
		stage = "逾期"
	}
	return []string{strconv.FormatInt(r.ID, 10), originLabels[r.Origin],
		gradeLabels[r.Grade], statusLabels[r.Status], cell(r.Title),
		cell(r.Description), cell(r.Enterprise), cell(r.District),
		cell(r.Industry), cell(r.HazardSource), sourceGrade(r.HazardSourceGrade),
		cell(r.Point), cell(r.Condition), strconv.Itoa(r.Occurrences),
		levelLabels[r.ResponsibleLevel], cell(r.ResponsibleUnit),
		l.date(r.CreatedAt, "2006-01-02 15:04"), l.date(r.Deadline, time.DateOnly),
		stage, cell(r.Plan.Owner), cell(r.Plan.Measures),
		strconv.FormatInt(r.Plan.FundsYuan, 10), cell(r.Plan.Contingency),
		l.date(r.ClosedAt, "2006-01-02 15:04")}
}

func (l *Ledger) date(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(l.loc).Format(layout)
}

func sourceGrade(g int) string {
	if g == 0 {
		return ""
	}
	return strconv.Itoa(g) + "级"
}

// cell defuses text that Excel would run as a formula (CSV injection):
// free text comes from enterprises and must stay text.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
