package config

// Config is the validated, resolved configuration. (Placeholder: the config core fills it.)
type Config struct{}

// For validates r and resolves it into a Config. It returns every finding at once; the
// Config is nil exactly when the findings hold an error.
func For(r Resources, opts Options) (*Config, Findings) {
	return &Config{}, nil
}
