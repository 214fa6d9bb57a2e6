package action

import (
	"fmt"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// Discover finds the Django root, reads the configuration of the
// environment and discovers the project with its settings: module (the
// one manage.py sets when the configuration names none). `discover` uses
// it alone; NewPlan goes on with the configuration it returns.
func Discover(o BuildOptions) (*django.Project, error) {
	p, _, _, err := discover(o)
	return p, err
}

// discover is Discover returning the resolved configuration and its
// file's warnings too.
func discover(o BuildOptions) (*django.Project, *config.Config, diag.List, error) {
	if o.Environment == "" {
		o.Environment = "dev"
	}
	root, err := django.FindRoot(o.ProjectDir)
	if err != nil {
		return nil, nil, nil, userError(err)
	}
	cfg, warns, err := loadConfig(o, root)
	if err != nil {
		return nil, nil, warns, err
	}
	// Discovery reads the environment as the functions will see it.
	opt := django.Options{Settings: cfg.Settings, Env: cfg.Env, Python: cfg.Python}
	if cfg.Settings != "" {
		pos := cfg.SettingsPos
		opt.SettingsFrom = fmt.Sprintf("%s:%d:%d", pos.File, pos.Line, pos.Col)
	}
	p, err := django.DiscoverWith(o.ProjectDir, opt)
	if err != nil {
		return nil, nil, warns, userError(err)
	}
	if cfg.Project == "" {
		cfg.Project = config.DefaultProject(o.Repository, p.Root)
	}
	return p, cfg, warns, nil
}
