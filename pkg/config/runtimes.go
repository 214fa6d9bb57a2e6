package config

// PythonVersions returns the Lambda Python runtime versions the python:
// key accepts ("3.10" ... ), oldest first. The action's image ships an
// interpreter for each (a test holds the Dockerfile to this list).
func PythonVersions() []string {
	return append([]string(nil), pythonVersions...)
}
