// Package register turns Modbus register and bit contents into engineering
// values and back. A Spec says where a point lives (table, address, bit) and
// how its bytes are laid out (type, byte order, scale, offset); the decoders
// take the raw words or bits a device returned and give a finite float64.
//
// Nothing here talks to a device: the edge agent reads with goburrow/modbus,
// and Extract takes that library's response bytes as they are.
package register

import "fmt"

// Table is one of the four Modbus data tables. Its value is the function
// code that reads it, so the zero value is not a table and fails validation.
type Table uint8

// The four Modbus tables.
const (
	Coil          Table = 1 // read/write bits, function code 1
	DiscreteInput Table = 2 // read-only bits, function code 2
	Holding       Table = 3 // read/write registers, function code 3
	Input         Table = 4 // read-only registers, function code 4
)

var tableNames = [...]string{
	Coil:          "coil",
	DiscreteInput: "discrete_input",
	Holding:       "holding",
	Input:         "input",
}

// String returns the name ParseTable accepts, or "Table(n)" when t is not
// one of the four tables.
func (t Table) String() string {
	if !t.valid() {
		return fmt.Sprintf("Table(%d)", uint8(t))
	}
	return tableNames[t]
}

// ParseTable returns the table named s: "coil", "discrete_input", "holding"
// or "input".
func ParseTable(s string) (Table, error) {
	for t := Coil; t <= Input; t++ {
		if tableNames[t] == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("parse table %q: want coil, discrete_input, "+
		"holding or input", s)
}

// IsBit reports whether t holds single bits (coils and discrete inputs)
// rather than 16-bit registers.
func (t Table) IsBit() bool { return t == Coil || t == DiscreteInput }

// FunctionCode returns the Modbus function code that reads t.
func (t Table) FunctionCode() byte { return byte(t) }

func (t Table) valid() bool { return t >= Coil && t <= Input }
