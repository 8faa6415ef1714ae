"""The Cognito user pool of gBizID from UserPoolSpec: passwords, e-mail verification, groups, attributes."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.nag import acknowledge
from infra.resource_specs import UserPoolSpec


class UserPoolConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, spec: UserPoolSpec, deletion_protection: bool):
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            spec.id,
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            user_verification=cognito.UserVerificationConfig(email_style=cognito.VerificationEmailStyle.CODE),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            custom_attributes={
                name: cognito.StringAttribute(min_len=1, max_len=64, mutable=True) for name in spec.custom_attributes
            },
            password_policy=cognito.PasswordPolicy(
                min_length=spec.password_min_length,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=spec.password_require_symbols,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            mfa=cognito.Mfa.OFF,
            deletion_protection=deletion_protection,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for group in spec.groups:
            self.user_pool.add_group(group, group_name=group, description=f"gBizID {group} accounts")
        # Server-side sign-in by the auth function: no client secret (it never leaves AWS), no SRP, no OAuth.
        self.clients = {
            name: self.user_pool.add_client(
                name,
                user_pool_client_name=name,
                generate_secret=False,
                auth_flows=cognito.AuthFlow(admin_user_password=True),
                o_auth=cognito.OAuthSettings(flows=cognito.OAuthFlows(authorization_code_grant=False)),
                prevent_user_existence_errors=True,
            )
            for name in spec.clients
        }
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "Second factors (TOTP, e-mail and SMS codes) are enforced by functions/auth itself, with "
            "per-user secrets under KMS, identically in the devstack and the cloud; Cognito MFA stays off.",
        )
