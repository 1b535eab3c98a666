using System.Net;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Chorus.Tests;

/// Another site cannot sign a staff user out: the sign-out form's token is checked, not just asked for.
public class SignOutForgeryTests
{
    [Fact]
    public async Task Staff_sign_out_without_its_token_is_refused_and_with_it_signs_out()
    {
        await using var app = new ChorusFactory();
        await app.PrepareAsync();
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await Forms.OpenAsync(browser, "/account/login");
        login["Input.Email"] = ChorusFactory.AdminEmail;
        login["Input.Password"] = ChorusFactory.Password;
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(browser, "/account/login", login)).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync("/account/logout", new FormUrlEncodedContent([]))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync("/account/logout", new FormUrlEncodedContent([new(Forms.AntiforgeryField, "CfDJ8forged")]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/forum")).StatusCode);
        Assert.Contains("id=\"forum-staff\"", await browser.GetStringAsync("/forum")); // still signed in

        var token = Forms.HiddenFields(await browser.GetStringAsync("/forum/c/general/new"))[Forms.AntiforgeryField];
        var signedOut = await browser.PostAsync("/account/logout", new FormUrlEncodedContent([new(Forms.AntiforgeryField, token)]));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.DoesNotContain("id=\"forum-staff\"", await browser.GetStringAsync("/forum"));
    }
}
