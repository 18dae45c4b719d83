// Package views holds the login demo's handlers. Each view is a function
// that takes its dependencies and returns an [net/http.Handler]; main.go
// puts them in the route table.
package views
