//go:build !unix

package queue

import "os"

// lockDir does nothing here.
// Not yet: locking outside Unix; two processes opening one queue on such a
// system corrupt it. The gateways run Linux.
func lockDir(dir string) (*os.File, error) { return nil, nil }
