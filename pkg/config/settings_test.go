package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSettingsPerEnvironment(t *testing.T) {
	src := "settings: shop.settings.base\nenvironments:\n  prod:\n    settings: shop.settings.prod\n  preview:\n    settings: shop.settings.preview\n  dev: {}\n"
	f, err := Parse("c.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]struct {
		module    string
		line, col int
	}{
		"dev":     {"shop.settings.base", 1, 11},
		"staging": {"shop.settings.base", 1, 11},
		"prod":    {"shop.settings.prod", 4, 15},
		"pr-7":    {"shop.settings.preview", 6, 15},
	} {
		c, err := f.Resolve(env)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		if c.Settings != want.module || c.SettingsPos != (Position{File: "c.yml", Line: want.line, Col: want.col}) {
			t.Errorf("%s: settings %q at %+v, want %q at c.yml:%d:%d", env, c.Settings, c.SettingsPos, want.module, want.line, want.col)
		}
	}
	// Without the key: "" (manage.py's module, found by discovery).
	c, err := Default().Resolve("dev")
	if err != nil || c.Settings != "" || c.SettingsPos != (Position{}) {
		t.Errorf("default settings = %q %+v, %v; want empty", c.Settings, c.SettingsPos, err)
	}
	// null in an environment resets to the default.
	f, err = Parse("c.yml", []byte("settings: a.settings\nenvironments:\n  dev: {settings: null}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := f.Resolve("dev"); c.Settings != "" {
		t.Errorf("settings: null kept %q", c.Settings)
	}
}

func TestSettingsErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"not a module path", "settings: shop/settings.py\n",
			[]string{`c.yml:1:11: error: settings: "shop/settings.py" is not a dotted Python module path (e.g. shop.settings.prod)`}},
		{"not a string", "settings: [a]\n",
			[]string{`c.yml:1:11: error: settings: expected a string, got a list`}},
		{"in an environment", "environments:\n  prod:\n    settings: shop..prod\n",
			[]string{`c.yml:3:15: error: environments.prod.settings: "shop..prod" is not a dotted Python module path (e.g. shop.settings.prod)`}},
		{"did you mean", "setings: shop.settings\n",
			[]string{`c.yml:1:1: error: top level: unknown key "setings" (did you mean "settings"?)`}},
		{"env DJANGO_SETTINGS_MODULE points at settings:", "env:\n  DJANGO_SETTINGS_MODULE: shop.settings.prod\n",
			[]string{`c.yml:2:3: error: env: DJANGO_SETTINGS_MODULE is set by django-serverless from the settings: key (top level or per environment), which discovery and schema generation read too; write settings: shop.settings.prod instead`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, loadErrors(t, tt.src)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultProject(t *testing.T) {
	tests := []struct{ repo, root, want string }{
		{"acme/shop", "/w/src", "shop"},
		{"acme/My.Shop_Site", "/w", "my-shop-site"},
		{"acme/2048", "/w", "app-2048"},
		{"acme/--x--", "/w", "x"},
		{"", "/home/u/cookie-cutter_proj", "cookie-cutter-proj"},
		{"", "/home/u/config", "config"},
		{"", "/", "django"},
		{"acme/" + string(make([]byte, 0)) + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/w", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"acme/résumé-app", "/w", "r-sum-app"},
	}
	for _, tt := range tests {
		got := DefaultProject(tt.repo, tt.root)
		if got != tt.want {
			t.Errorf("DefaultProject(%q, %q) = %q, want %q", tt.repo, tt.root, got, tt.want)
		}
		if !projectRe.MatchString(got) {
			t.Errorf("DefaultProject(%q, %q) = %q is not a valid project: value", tt.repo, tt.root, got)
		}
	}
}
