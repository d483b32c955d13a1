package ingest

// maxMissing bounds the missing sequence numbers remembered per gateway, so
// that a gateway that jumps its sequence cannot make the center grow.
const maxMissing = 100_000

// sequence follows one gateway's message numbers within its epoch and
// counts what is missing, what came twice and what came late.
type sequence struct {
	epoch   int64
	next    uint64 // the number expected next
	missing map[uint64]struct{}
	// overflow counts gaps that did not fit in missing.
	overflow uint64
}

// seqResult says what one message's number meant.
type seqResult int

const (
	seqInOrder seqResult = iota
	seqGap               // numbers were skipped before this one
	seqLate              // fills an earlier gap
	seqDuplicate
	seqNewEpoch
)

// observe records seq and returns what it was and how the count of
// missing numbers changed.
func (s *sequence) observe(epoch int64, seq uint64) (seqResult, int) {
	if epoch != s.epoch {
		lost := len(s.missing)
		*s = sequence{epoch: epoch, next: seq + 1}
		return seqNewEpoch, -lost
	}
	switch {
	case seq == s.next:
		s.next++
		return seqInOrder, 0
	case seq > s.next:
		added := 0
		for n := s.next; n < seq; n++ {
			if len(s.missing) >= maxMissing {
				s.overflow += seq - n
				break
			}
			if s.missing == nil {
				s.missing = make(map[uint64]struct{})
			}
			s.missing[n] = struct{}{}
			added++
		}
		s.next = seq + 1
		return seqGap, added
	}
	if _, ok := s.missing[seq]; ok {
		delete(s.missing, seq)
		return seqLate, -1
	}
	return seqDuplicate, 0
}
