package model

import (
	"errors"

	"github.com/bgplb/bgplb/topologies/render"
)

// Resolve applies precedence, assigns addresses, names interfaces, expands BGP sessions and
// checks the result against what the backend can run. It returns every finding at once.
func Resolve(t *Topology, caps Capabilities) (*Lab, error) {
	return nil, errors.New("model: Resolve not implemented yet")
}

// Validate is Resolve without the result.
func Validate(t *Topology, caps Capabilities) error {
	_, err := Resolve(t, caps)
	return err
}

// RouterIntent returns the NOS-neutral configuration intent of one router.
func (l *Lab) RouterIntent(node string) (render.Router, error) {
	return render.Router{}, errors.New("model: RouterIntent not implemented yet")
}
