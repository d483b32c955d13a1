package register

import "fmt"

// Extract returns the engineering value of s from data, the response to a
// read of s's table that started at address reqStart. data is the payload
// goburrow/modbus returns: for registers, two big-endian bytes each; for
// coils and discrete inputs, bits packed eight to a byte, the first address
// in the least significant bit of the first byte.
//
// Extract does not know how many units were asked for, only how many bytes
// came back; it fails with ErrShortData when data does not reach s.
func Extract(s Spec, reqStart uint16, data []byte) (float64, error) {
	if err := s.Validate(); err != nil {
		return 0, fmt.Errorf("extract: %w", err)
	}
	if s.Address < reqStart {
		return 0, fmt.Errorf("extract %s from request at %d: point is before "+
			"the request", s, reqStart)
	}
	at := int(s.Address - reqStart)
	if s.Table.IsBit() {
		return extractBit(s, at, data)
	}
	return extractRegisters(s, at, data)
}

// extractBit reads the bit at index at of packed coil or input data.
func extractBit(s Spec, at int, data []byte) (float64, error) {
	if at/8 >= len(data) {
		return 0, fmt.Errorf("extract %s: bit %d needs %d bytes, got %d: %w",
			s, at, at/8+1, len(data), ErrShortData)
	}
	bit := data[at/8]>>(at%8)&1 == 1
	return DecodeBits(s, []bool{bit})
}

// extractRegisters reads the words of s starting at register index at.
func extractRegisters(s Spec, at int, data []byte) (float64, error) {
	n := int(s.Type.Words())
	if need := 2 * (at + n); need > len(data) {
		return 0, fmt.Errorf("extract %s: registers %d..%d need %d bytes, "+
			"got %d: %w", s, at, at+n-1, need, len(data), ErrShortData)
	}
	var buf [4]uint16
	regs := buf[:n]
	for i := range regs {
		b := data[2*(at+i):]
		regs[i] = uint16(b[0])<<8 | uint16(b[1])
	}
	return DecodeRegisters(s, regs)
}
