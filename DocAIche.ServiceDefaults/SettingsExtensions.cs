using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class SettingsExtensions
{
    /// <summary>
    /// Binds a configuration section to <typeparamref name="TOptions"/> and checks it (data annotations
    /// and <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>) when the service starts,
    /// so a bad setting stops the start with its name rather than failing the first request that reads it.
    /// Chain <c>Validate</c> for checks that annotations cannot say.
    /// </summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions>(this IHostApplicationBuilder builder, string section) where TOptions : class =>
        builder.Services.AddOptions<TOptions>()
            .Bind(builder.Configuration.GetSection(section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
