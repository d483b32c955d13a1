package main

import (
	"fmt"

	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/yamlconf"
)

// centerFile is the part of the center config hw-admin reads: the store
// section. The other sections are taken as they are (Rest), because
// yamlconf decodes strictly and hw-admin must not refuse a center config
// it has no business checking; hw-center -check does that.
//
// Not yet: center.Config with its Store section. When the center's
// config carries it, center.LoadConfig can replace this, at the price of
// validating sections hw-admin does not use.
type centerFile struct {
	Store store.Config   `yaml:"store"`
	Rest  map[string]any `yaml:",inline"`
}

// loadStoreConfig reads the store section of the center config at path
// over store.DefaultConfig and validates it.
func loadStoreConfig(path string) (store.Config, error) {
	c := centerFile{Store: store.DefaultConfig()}
	if err := yamlconf.Load(path, &c); err != nil {
		return c.Store, err
	}
	if err := c.Store.Validate(); err != nil {
		return c.Store, fmt.Errorf("config %s: %w", path, err)
	}
	return c.Store, nil
}
