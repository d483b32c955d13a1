package yamlconf

import (
	"strings"
	"testing"
	"time"
)

type sample struct {
	Name  string        `yaml:"name"`
	Every time.Duration `yaml:"every"`
	Inner struct {
		N int `yaml:"n"`
	} `yaml:"inner"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in      string
		want    sample
		wantErr string
	}{
		{in: "", want: sample{Name: "default", Every: time.Second}},
		{in: "name: x\nevery: 2m\ninner: {n: 3}", want: sample{Name: "x", Every: 2 * time.Minute}},
		{in: "nmae: x", wantErr: "field nmae not found"},
		{in: "inner: {m: 1}", wantErr: "field m not found"},
		{in: "every: soon", wantErr: "cannot unmarshal"},
		{in: "name: a\n---\nname: b", wantErr: "more than one"},
	}
	for _, tt := range tests {
		got := sample{Name: "default", Every: time.Second}
		err := Decode([]byte(tt.in), &got)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Decode(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Decode(%q): %v", tt.in, err)
			continue
		}
		if tt.in != "" && (got.Name != tt.want.Name || got.Every != tt.want.Every || got.Inner.N != 3) {
			t.Errorf("Decode(%q) = %+v", tt.in, got)
		}
		if tt.in == "" && got != tt.want {
			t.Errorf("Decode(empty) = %+v, want defaults", got)
		}
	}
}
