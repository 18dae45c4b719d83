package locales_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"example.com/miniweb/locales"
)

// A request's language comes from its Accept-Language header, unless the
// visitor chose one with the language switch.
func ExampleCatalogue_For() {
	catalogue, err := locales.Load()
	if err != nil {
		panic(err)
	}
	for _, acceptLanguage := range []string{"zh-CN,zh;q=0.9", "en-GB", "fr"} {
		r := httptest.NewRequest(http.MethodGet, "/login", nil)
		r.Header.Set("Accept-Language", acceptLanguage)
		localizer := catalogue.For(r)
		fmt.Printf("%s → %s: %s\n", acceptLanguage, localizer, localizer.Text("LoginFailed"))
	}
	// Output:
	// zh-CN,zh;q=0.9 → zh-Hans: 用户名或密码错误！
	// en-GB → en: Invalid username or password.
	// fr → en: Invalid username or password.
}

// Placeholders are filled from name, value pairs; Count also picks the
// plural form.
func ExampleLocalizer_Text() {
	catalogue, err := locales.Load()
	if err != nil {
		panic(err)
	}
	english, chinese := catalogue.Lookup("en"), catalogue.Lookup("zh-Hans")
	fmt.Println(chinese.Text("WelcomeBack", "Name", "admin"))
	fmt.Println(english.Text("TooManyAttempts", "Count", 1))
	fmt.Println(english.Text("TooManyAttempts", "Count", 15))
	// Output:
	// 欢迎回来, admin!
	// Too many attempts. Try again in a minute.
	// Too many attempts. Try again in 15 minutes.
}
