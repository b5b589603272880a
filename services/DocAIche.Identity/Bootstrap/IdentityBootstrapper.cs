using DocAIche.ServiceDefaults.Data;
using DocAIche.Contracts.Identity;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.Contracts;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.Identity.Tokens;
using DocAIche.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DocAIche.Identity.Bootstrap;

/// <summary>
/// On start: the first tenant's owner (from deployment parameters, once), the public command-line
/// client <c>docaiche-cli</c>, the gateway's client for API-key exchange and the admin console's
/// client (their secrets and addresses follow configuration).
/// </summary>
public sealed partial class IdentityBootstrapper(
    IServiceScopeFactory scopes,
    IOptions<BootstrapOptions> bootstrap,
    IOptions<IdentityServiceOptions> identity,
    IOptions<DocAIcheAuthenticationOptions> authentication,
    TimeProvider time,
    ILogger<IdentityBootstrapper> logger) : IHostedService
{
    /// <summary>The advisory lock instances starting together take turns on ("DocABoot").</summary>
    private const long BootstrapLock = 0x446f6341426f6f74;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        // Each step checks, then creates: two instances starting together would both create.
        await using var turn = await ExclusiveTurn.TakeAsync(db, BootstrapLock, cancellationToken);

        await EnsureOwnerAsync(db, cancellationToken);
        await EnsureCliClientAsync(applications, cancellationToken);
        await EnsureGatewayClientAsync(applications, cancellationToken);
        await EnsureConsoleClientAsync(applications, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureOwnerAsync(IdentityDbContext db, CancellationToken cancellationToken)
    {
        // At start-up nobody is calling: the default tenant is named by hand.
        if (await db.Users.AcrossTenants().AnyAsync(u => u.TenantId == Tenants.Default, cancellationToken))
        {
            return;
        }
        var settings = bootstrap.Value;
        if (string.IsNullOrEmpty(settings.Password) || settings.Password.Length < identity.Value.MinimumPasswordLength)
        {
            throw new InvalidOperationException(
                $"The first tenant has no owner yet: set DOCAICHE_BOOTSTRAP_PASSWORD (Bootstrap:Password) of at least {identity.Value.MinimumPasswordLength} characters.");
        }
        var owner = new User
        {
            Id = Guid.CreateVersion7(),
            TenantId = Tenants.Default,
            Email = settings.Email.Trim(),
            NormalizedEmail = User.Normalize(settings.Email),
            DisplayName = "Owner",
            // The first owner also runs the platform: someone has to be able to create tenants.
            Roles = [DocAIcheRoles.Owner, DocAIcheRoles.Operator],
            CreatedAt = time.GetUtcNow(),
        };
        owner.PasswordHash = new PasswordHasher<User>().HashPassword(owner, settings.Password);
        db.Users.Add(owner);
        db.AddAuditEvent(time, null, owner.TenantId, "service:identity", "user.created", "user", owner.Id.ToString());
        await db.SaveChangesAsync(cancellationToken);
        LogOwnerCreated(logger);
    }

    private static async Task EnsureCliClientAsync(IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(ApiKeyGrant.CliClientId, cancellationToken) is not null)
        {
            return;
        }
        var cli = new OpenIddictApplicationDescriptor
        {
            ClientId = ApiKeyGrant.CliClientId,
            DisplayName = "DocAIche command line",
            ClientType = ClientTypes.Public,
            ApplicationType = ApplicationTypes.Native,
            RedirectUris = { new Uri("http://127.0.0.1/callback"), new Uri("http://localhost/callback"), new Uri("http://[::1]/callback") },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Prefixes.Scope + DocAIchePolicies.ApiScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        await applications.CreateAsync(cli, cancellationToken);
    }

    private async Task EnsureGatewayClientAsync(IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = ApiKeyGrant.GatewayClientId,
            ClientSecret = identity.Value.GatewayClientSecret,
            DisplayName = "DocAIche gateway",
            ClientType = ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Token, Permissions.Prefixes.GrantType + ApiKeyGrant.GrantType,
                Permissions.Prefixes.Scope + DocAIchePolicies.ApiScope,
            },
        };
        var existing = await applications.FindByClientIdAsync(ApiKeyGrant.GatewayClientId, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
    }

    /// <summary>
    /// The admin console: a confidential client (code + PKCE, refresh tokens) whose callbacks are under
    /// the public address, where the gateway routes the console.
    /// </summary>
    private async Task EnsureConsoleClientAsync(IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var existing = await applications.FindByClientIdAsync(ConsoleClient.ClientId, cancellationToken);
        if (identity.Value.ConsoleClientSecret is not { } secret)
        {
            if (existing is not null)
            {
                await applications.DeleteAsync(existing, cancellationToken);
            }
            return;
        }
        var publicUrl = authentication.Value.Issuer.TrimEnd('/');
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = ConsoleClient.ClientId,
            ClientSecret = secret,
            DisplayName = "DocAIche console",
            ClientType = ClientTypes.Confidential,
            ApplicationType = ApplicationTypes.Web,
            RedirectUris = { new Uri(publicUrl + ConsoleClient.CallbackPath) },
            PostLogoutRedirectUris = { new Uri(publicUrl + ConsoleClient.SignedOutCallbackPath) },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Prefixes.Scope + DocAIchePolicies.ApiScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first tenant's owner")]
    private static partial void LogOwnerCreated(ILogger logger);
}
