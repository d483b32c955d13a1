package queue

import (
	"encoding/binary"
	"hash/crc32"
	"time"
)

// MaxRecordBytes is the largest record Append accepts, in bytes of data.
const MaxRecordBytes = 1 << 20

// headerSize is the size of the header in front of every record's data:
//
//	offset  size  field
//	0       4     CRC-32C of bytes 4..24 of the header and of the data
//	4       4     length of the data
//	8       8     index
//	16      8     append time, Unix nanoseconds
//
// All integers are little-endian. The CRC covers the length and the index,
// so a flipped bit anywhere in a record is caught.
const headerSize = 24

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// header is a decoded record header.
type header struct {
	crc   uint32
	size  uint32
	index uint64
	nanos int64
}

func (h header) time() time.Time { return time.Unix(0, h.nanos) }

// encodeRecord appends the record to buf and returns the result.
func encodeRecord(buf []byte, index uint64, t time.Time, data []byte) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, headerSize)...)
	h := buf[start:]
	binary.LittleEndian.PutUint32(h[4:], uint32(len(data)))
	binary.LittleEndian.PutUint64(h[8:], index)
	binary.LittleEndian.PutUint64(h[16:], uint64(t.UnixNano()))
	buf = append(buf, data...)
	crc := crc32.Update(0, castagnoli, buf[start+4:start+headerSize])
	crc = crc32.Update(crc, castagnoli, data)
	binary.LittleEndian.PutUint32(buf[start:], crc)
	return buf
}

// decodeHeader reads a header from the first headerSize bytes of b.
func decodeHeader(b []byte) header {
	return header{
		crc:   binary.LittleEndian.Uint32(b),
		size:  binary.LittleEndian.Uint32(b[4:]),
		index: binary.LittleEndian.Uint64(b[8:]),
		nanos: int64(binary.LittleEndian.Uint64(b[16:])),
	}
}

// check reports whether data and the header bytes hb hash to h.crc.
func (h header) check(hb, data []byte) bool {
	crc := crc32.Update(0, castagnoli, hb[4:headerSize])
	return crc32.Update(crc, castagnoli, data) == h.crc
}
