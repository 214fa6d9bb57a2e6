package config

import (
	"fmt"
	"regexp"
	"strings"
)

var prZeroRe = regexp.MustCompile(`^pr-0[0-9]*$`)

// ValidateEnvironment checks an environment name as the CLI's --env, the
// action's environment input and the file's environments: keys all must:
// not empty (an empty --env or input is a mistake, not dev), a lower-case
// letter, then letters, digits or '-', at most 31, not ending in '-'
// (pr-${{ github.event.number }} outside a pull_request event), and pr-
// only for a pull request's preview, pr-<N> with N a number without
// leading zeros (pr-007 would be another stack than pr-7; pr-abc is no
// pull request).
func ValidateEnvironment(env string) error {
	switch {
	case env == "":
		return fmt.Errorf("the environment is empty (dev, prod, pr-<N>, ...; an empty ${{ ... }} expression?)")
	case len(env) > 1 && env[len(env)-1] == '-':
		return fmt.Errorf("%q ends with '-' (pr-${{ github.event.number }} is empty outside pull_request events)", env)
	case prZeroRe.MatchString(env):
		return fmt.Errorf("%q: a pull request number has no leading zeros and is not 0 (pr-7, not pr-007): pr-<N> names one stack per pull request", env)
	case strings.HasPrefix(env, "pr-") && !prEnvRe.MatchString(env):
		return fmt.Errorf("%q: pr- names a pull request's preview, pr-<N> with N its number (pr-7); choose another name for other environments", env)
	case !envNameRe.MatchString(env):
		return fmt.Errorf("%q is not a valid environment name (lower-case letter, then a-z, 0-9 or '-', at most 31)", env)
	}
	return nil
}
