// Package pipeline gives every benchmark goroutine a call chain of chosen
// depth and shape before it blocks. Four mutually recursive stage functions
// pick the next stage from a digit of the plan, so the function names and
// call lines on the stack spell out the plan: distinct plans give distinct
// stacks, which is how the generator controls how many distinct stacks a
// dump holds.
package pipeline

// Plan is the route one goroutine takes: Digits[i] (0..3) picks the stage
// called at depth i+1, and Leaf runs at the bottom (it blocks).
type Plan struct {
	Digits []uint8
	Leaf   func(depth int)
}

// Stage carries a little per-request state so that frames print pointer and
// integer arguments like real code does.
type Stage struct {
	Name  string
	Retry int
}

// Run starts the descent. It is the goroutine's entry point.
//
//go:noinline
func Run(p *Plan, s *Stage) {
	s.Decode(p, 0, len(p.Digits))
}

//go:noinline
func (s *Stage) Decode(p *Plan, lvl, depth int) {
	if lvl >= depth {
		p.Leaf(lvl)
		return
	}
	switch p.Digits[lvl] {
	case 0:
		s.Decode(p, lvl+1, depth)
	case 1:
		s.Validate(p, lvl+1, depth)
	case 2:
		s.Transform(p, lvl+1, depth)
	default:
		route(s, p, lvl+1, depth)
	}
}

//go:noinline
func (s *Stage) Validate(p *Plan, lvl, depth int) {
	if lvl >= depth {
		p.Leaf(lvl)
		return
	}
	switch p.Digits[lvl] {
	case 0:
		s.Decode(p, lvl+1, depth)
	case 1:
		s.Validate(p, lvl+1, depth)
	case 2:
		s.Transform(p, lvl+1, depth)
	default:
		route(s, p, lvl+1, depth)
	}
}

//go:noinline
func (s *Stage) Transform(p *Plan, lvl, depth int) {
	if lvl >= depth {
		p.Leaf(lvl)
		return
	}
	switch p.Digits[lvl] {
	case 0:
		s.Decode(p, lvl+1, depth)
	case 1:
		s.Validate(p, lvl+1, depth)
	case 2:
		s.Transform(p, lvl+1, depth)
	default:
		route(s, p, lvl+1, depth)
	}
}

// route is a plain function (not a method) so stacks mix both name forms.
//
//go:noinline
func route(s *Stage, p *Plan, lvl, depth int) {
	if lvl >= depth {
		p.Leaf(lvl)
		return
	}
	switch p.Digits[lvl] {
	case 0:
		s.Decode(p, lvl+1, depth)
	case 1:
		s.Validate(p, lvl+1, depth)
	case 2:
		s.Transform(p, lvl+1, depth)
	default:
		route(s, p, lvl+1, depth)
	}
}
