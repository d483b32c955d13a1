package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// The meta file holds what the segments cannot tell: the epoch, the acked
// cursor and the index lease. It is small and always replaced whole.
const (
	metaName    = "meta"
	metaTmpName = "meta.tmp"
	metaMagic   = "HWQM"
	metaVersion = 1
	metaSize    = 36
)

// errMetaCorrupt tells Open the meta file exists but cannot be trusted.
var errMetaCorrupt = errors.New("meta file corrupt")

// meta is the content of the meta file.
type meta struct {
	// epoch is the Unix ms time the queue was created.
	epoch int64
	// acked is the highest index known delivered.
	acked uint64
	// reserved is the highest index that may have been handed out. Append
	// raises it, durably, before handing out an index past it, so that after
	// a power cut no index is handed out twice even if the records that
	// carried it were lost (and possibly already published).
	reserved uint64
}

// encode lays m out as magic, version, padding, epoch, acked, reserved and
// a CRC-32C of all that, little-endian.
func (m meta) encode() []byte {
	b := make([]byte, metaSize)
	copy(b, metaMagic)
	binary.LittleEndian.PutUint16(b[4:], metaVersion)
	binary.LittleEndian.PutUint64(b[8:], uint64(m.epoch))
	binary.LittleEndian.PutUint64(b[16:], m.acked)
	binary.LittleEndian.PutUint64(b[24:], m.reserved)
	binary.LittleEndian.PutUint32(b[32:], crc32.Checksum(b[:32], castagnoli))
	return b
}

// decodeMeta parses a meta file's content.
func decodeMeta(b []byte) (meta, error) {
	if len(b) != metaSize || string(b[:4]) != metaMagic ||
		crc32.Checksum(b[:32], castagnoli) != binary.LittleEndian.Uint32(b[32:]) {
		return meta{}, errMetaCorrupt
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != metaVersion {
		return meta{}, fmt.Errorf("meta format version %d, want %d", v, metaVersion)
	}
	return meta{
		epoch:    int64(binary.LittleEndian.Uint64(b[8:])),
		acked:    binary.LittleEndian.Uint64(b[16:]),
		reserved: binary.LittleEndian.Uint64(b[24:]),
	}, nil
}

// readMeta reads the meta file of dir; os.ErrNotExist if there is none.
func readMeta(dir string) (meta, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaName))
	if err != nil {
		return meta{}, err
	}
	return decodeMeta(b)
}

// writeMeta replaces the meta file of dir atomically: a reader after a
// crash finds either the old content or the new, never a mix.
func writeMeta(dir string, m meta) error {
	tmp := filepath.Join(dir, metaTmpName)

	// Write the new content to a temporary file and make it durable.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("create %q: %w", tmp, err)
	}
	if _, err := f.Write(m.encode()); err != nil {
		f.Close()
		return fmt.Errorf("write %q: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %q: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %q: %w", tmp, err)
	}

	// Swap it in, then make the rename itself durable.
	if err := os.Rename(tmp, filepath.Join(dir, metaName)); err != nil {
		return fmt.Errorf("rename meta file: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes the creations, renames and removals of files in dir
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %q: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %q: %w", dir, err)
	}
	return nil
}
