package rules

import "time"

// rateCap bounds the samples kept for the rate of change: a minute of one
// sample a second fits. A faster point keeps the newest rateCap samples,
// so its window is shorter than a minute.
const rateCap = 64

type ratePoint struct {
	t int64 // Unix nanoseconds
	v float64
}

// rateWindow is a ring of the samples of the last minute.
type rateWindow struct {
	buf     []ratePoint
	head, n int
}

func newRateWindow() rateWindow {
	return rateWindow{buf: make([]ratePoint, rateCap)}
}

// push adds a sample and drops those more than a minute older than it.
func (w *rateWindow) push(t time.Time, v float64) {
	now := t.UnixNano()
	cut := now - int64(time.Minute)
	for w.n > 0 && w.buf[w.head].t < cut {
		w.drop()
	}
	if w.n == len(w.buf) {
		w.drop()
	}
	w.buf[(w.head+w.n)%len(w.buf)] = ratePoint{now, v}
	w.n++
}

func (w *rateWindow) drop() {
	w.head = (w.head + 1) % len(w.buf)
	w.n--
}

// change returns the newest value less the oldest one in the window; ok is
// false with fewer than two samples. Taking the change within the minute
// rather than dividing by a short span keeps two close samples from
// magnifying noise into a steep rate.
func (w *rateWindow) change() (d float64, ok bool) {
	if w.n < 2 {
		return 0, false
	}
	newest := w.buf[(w.head+w.n-1)%len(w.buf)]
	return newest.v - w.buf[w.head].v, true
}
