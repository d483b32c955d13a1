package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/center"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/monitor"
	"github.com/hazardwatch/hazardwatch/internal/sim"
)

// tankFarm is the demo registry's enterprise, in 吴中区.
const tankFarm = "91320500MA1TANK01X"

// TestBrowserDashboard drives the dashboard in Debian's chromium, headless,
// against the whole pipeline. GT-102 leaks as in
// TestGasLeakRaisesAndClearsAlarm, but stays high for two minutes, and the
// edge starts only after the browser has signed in, so the alarm can only
// reach the page through the live feed. An operator of another district
// then sees none of this enterprise's alarms.
func TestBrowserDashboard(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin := chromiumPath(t)
	p := startPlantWith(t, 250*time.Millisecond, func(sc *sim.Scenario) {
		s, ok := sc.Signal("GT-102")
		if !ok {
			t.Fatal("no GT-102 in the demo scenario")
		}
		s.Events = []sim.Event{
			{At: 3 * time.Second, To: sim.Target{Value: 62}, Ramp: 5 * time.Second},
			{At: 120 * time.Second, To: sim.Target{Base: true}, Ramp: 2 * time.Second},
		}
	})
	c := p.runCenter()
	api := "http://" + c.Addr() + "/api/v1"
	base := dashboardURL(t, p, c)
	b := newBrowser(t, bin)

	// Sign in as the city administrator; the live feed connects.
	page := b.tab(t)
	b.do(t, page, "sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), p.token),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#view-alarms h2")))
	b.poll(t, page, "the live feed to open and the lists to load",
		`document.querySelector("#live-status").dataset.state === "open" && document.body.dataset.loaded`)
	b.eval(t, page, `window.hwNotReloaded = true`)
	b.screenshot(t, page, "01-signed-in")

	// The edge starts now: the leak's alarms arrive while the page is open.
	p.runEdge()
	hh := `tr[data-key="` + tankFarm + `/GT-102/high_high"]`
	b.do(t, page, "GT-102's level-2 alarm to appear live",
		chromedp.WaitVisible(chromedp.CSS(hh)))
	b.poll(t, page, "the level-2 alarm at the top, in red",
		`(() => { const r = document.querySelector("#alarm-list tbody tr");
		  return r && r.dataset.key.endsWith("/GT-102/high_high") && r.classList.contains("level-2")
		    && getComputedStyle(r.querySelector("td")).color === "rgb(198, 40, 40)"; })()`)
	b.screenshot(t, page, "02-alarm-live")

	// Acknowledge with a comment; the center records actor and comment.
	const comment = "现场已核实，已启动应急处置"
	b.do(t, page, "acknowledge",
		chromedp.Click(chromedp.CSS(hh+" button.ack")),
		chromedp.WaitVisible(chromedp.CSS(`#dialog textarea[name="comment"]`)),
		chromedp.SendKeys(chromedp.CSS(`#dialog textarea[name="comment"]`), comment))
	b.screenshot(t, page, "03-ack-dialog")
	b.do(t, page, "confirm the acknowledgement",
		chromedp.Click(chromedp.CSS("#dialog-ok")),
		chromedp.WaitVisible(chromedp.CSS(hh+`[data-state="acked"]`)))
	b.screenshot(t, page, "04-acked")
	checkAcked(t, p.token, api, comment)

	// GT-102's trend: a chart with a mean line over several buckets.
	b.do(t, page, "open GT-102's trend",
		chromedp.Click(chromedp.CSS(hh+" button.trend")),
		chromedp.WaitVisible(chromedp.CSS("#trend-chart svg")))
	b.poll(t, page, "a trend line of at least two buckets",
		`(() => { const m = document.querySelector("#trend-chart svg path.mean");
		  if (m && Number(m.dataset.points) >= 2) return true;
		  if (!window.hwRedrawAt || Date.now() - window.hwRedrawAt > 2000) {
		    window.hwRedrawAt = Date.now();
		    const r = document.querySelector("button.range.current");
		    if (r) r.click();
		  }
		  return false; })()`)
	b.poll(t, page, "the limits drawn", `document.querySelectorAll("#trend-chart line.limit").length >= 2`)
	b.screenshot(t, page, "05-trend")

	// The hazard ledger lists the major record the leak opened.
	waitFor(t, 60*time.Second, "the leak's hazard record", func() bool {
		recs := getJSON[struct{ Records []hazard.Record }](t, p.token, api+"/hazards?enterprise="+tankFarm)
		return len(recs.Records) > 0
	})
	// Records born of an alarm name the point "<enterprise>/<point>".
	row := `#hazard-list tr[data-point="` + tankFarm + `/GT-102"]`
	b.do(t, page, "open the hazard ledger",
		chromedp.Click(chromedp.CSS(`#nav [data-view="hazards"]`)),
		chromedp.WaitVisible(chromedp.CSS(row)))
	b.poll(t, page, "the record shown as a major, open hazard with its transitions",
		`(() => { const r = document.querySelector('`+row+`');
		  return r.dataset.status === "open" && r.textContent.includes("重大隐患")
		    && r.querySelector("button.tr-rectification") !== null
		    && r.querySelector("button.tr-verify") === null; })()`)
	b.screenshot(t, page, "06-hazard-ledger")

	// The overview marks the enterprise in alarm; English on the switch.
	b.do(t, page, "open the overview",
		chromedp.Click(chromedp.CSS(`#nav [data-view="overview"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.card[data-enterprise="`+tankFarm+`"][data-state="alarm"]`)),
		chromedp.Click(chromedp.CSS("#lang-switch")))
	b.poll(t, page, "English labels", `document.querySelector("#view-overview h2").textContent === "Enterprises by district"`)
	b.screenshot(t, page, "07-overview-en")
	b.poll(t, page, "the page never reloaded", `window.hwNotReloaded === true`)

	// An operator of another district sees none of these alarms, while
	// the administrator's list holds them.
	other := p.makeToken(context.Background(), auth.Principal{Name: "姑苏区值班员",
		Role: hazard.DistrictOperator, District: "姑苏区"})
	op := b.tab(t)
	b.do(t, op, "sign in as another district's operator",
		chromedp.Navigate(base+"/#alarms"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), other),
		chromedp.Click(chromedp.CSS("#signin-submit")))
	b.poll(t, op, "the operator's lists to load",
		`document.querySelector("#live-status").dataset.state === "open" && document.body.dataset.loaded
		  && document.querySelector("#view-alarms h2") !== null`)
	n := b.eval(t, op, `document.querySelectorAll('#alarm-list tr[data-key^="`+tankFarm+`/"]').length`)
	if n != 0 {
		t.Errorf("an operator of 姑苏区 sees %v alarms of the 吴中区 tank farm", n)
	}
	b.screenshot(t, op, "08-other-district")
	if all := getJSON[[]monitor.AlarmView](t, p.token, api+"/alarms?enterprise="+tankFarm); len(all) == 0 {
		t.Error("the administrator sees no alarm of the tank farm either: the check above proves nothing")
	}
	b.checkExceptions(t)
}

// dashboardURL is where the browser finds the dashboard and the API: the
// center serves both.
func dashboardURL(t *testing.T, p *plant, c *center.Center) string {
	t.Helper()
	return "http://" + c.Addr()
}

// checkAcked reads the level-2 alarm and its journal back over the API.
func checkAcked(t *testing.T, token, api, comment string) {
	t.Helper()
	var hh monitor.AlarmView
	for _, a := range getJSON[[]monitor.AlarmView](t, token, api+"/alarms?enterprise="+tankFarm) {
		if a.Point == "GT-102" && a.Condition == "high_high" {
			hh = a
		}
	}
	if hh.State != "acked" || hh.AckedBy != "e2e-admin" {
		t.Errorf("after the browser's acknowledgement: state %q by %q, want acked by e2e-admin",
			hh.State, hh.AckedBy)
	}
	journal := getJSON[[]monitor.JournalEntry](t, token,
		api+"/alarms/journal?enterprise="+tankFarm+"&point=GT-102&condition=high_high")
	for _, e := range journal {
		if e.Kind == "acked" {
			if e.Comment != comment || e.Actor != "e2e-admin" {
				t.Errorf("journal: acked by %q with %q, want e2e-admin with %q", e.Actor, e.Comment, comment)
			}
			return
		}
	}
	t.Errorf("no acked entry in the journal: %+v", journal)
}

// chromiumPath finds Debian's chromium (HW_CHROMIUM names another).
func chromiumPath(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("HW_CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no chromium at %s (%v): run scripts/browser-deps.sh", bin, err)
	}
	return bin
}

// browser is one headless chromium with a fresh profile; tabs share it
// but not their sessionStorage, so each tab signs in on its own.
type browser struct {
	ctx        context.Context
	shots      string
	mu         sync.Mutex
	exceptions []string
}

// stepTimeout bounds each step; generous for a loaded 2-core machine.
const stepTimeout = 60 * time.Second

func newBrowser(t *testing.T, bin string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	startTarget(t, ctx, cancel, "start chromium "+bin)
	shots := repoFile("artifacts/browser")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{ctx: ctx, shots: shots}
}

// tab opens a new tab that reports uncaught page exceptions.
func (b *browser) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewWindow(true),
		chromedp.WithListener(func(ev any) {
			if e, ok := ev.(*runtime.EventExceptionThrown); ok {
				b.mu.Lock()
				d := e.ExceptionDetails
				msg := fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, d.Text)
				if d.Exception != nil {
					msg += " " + d.Exception.Description
				}
				b.exceptions = append(b.exceptions, msg)
				b.mu.Unlock()
			}
		}))
	t.Cleanup(cancel)
	startTarget(t, ctx, cancel, "open a tab")
	return ctx
}

// startTarget starts the browser or tab of ctx. The first run on a
// context ties the target's life to that context, so it cannot get a
// child with a deadline; a timer cancels it instead.
func startTarget(t *testing.T, ctx context.Context, cancel context.CancelFunc, what string) {
	t.Helper()
	timer := time.AfterFunc(stepTimeout, cancel)
	defer timer.Stop()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
}

// do runs steps with a deadline; what names them in a failure.
func (b *browser) do(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.screenshot(t, tab, "failed")
		t.Fatalf("browser: %s: %v", what, err)
	}
}

// poll waits until a JavaScript expression is true.
func (b *browser) poll(t *testing.T, tab context.Context, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+expr+")",
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil {
		b.screenshot(t, tab, "failed")
		t.Fatalf("browser: waiting for %s: %v", what, err)
	}
}

func (b *browser) eval(t *testing.T, tab context.Context, expr string) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
	if err != nil && !errors.Is(err, chromedp.ErrJSUndefined) {
		t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return v
}

// screenshot saves the tab's viewport as artifacts/browser/<name>.png.
func (b *browser) screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	path, _ := filepath.Abs(filepath.Join(b.shots, name+".png"))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}

func (b *browser) checkExceptions(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.exceptions) > 0 {
		t.Errorf("uncaught exceptions in the page:\n%s", strings.Join(b.exceptions, "\n"))
	}
}
