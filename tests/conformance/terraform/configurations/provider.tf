# The provider of every configuration: hashicorp/aws against loopback servers only.
variable "imagebuilder_endpoint" { type = string }
variable "moto_endpoint" { type = string }
variable "step" {
  type        = number
  description = "1: the first apply; 2: the in-place update"
}
variable "name" { type = string }

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIATERRAFORMTEST001"
  secret_key                  = "terraform-test-secret"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    imagebuilder = var.imagebuilder_endpoint
    iam          = var.moto_endpoint
    ec2          = var.moto_endpoint
    sts          = var.moto_endpoint
    kms          = var.moto_endpoint
    sns          = var.moto_endpoint
    s3           = var.moto_endpoint
    ecr          = var.moto_endpoint
  }
}

data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  updated = var.step >= 2
  tags    = local.updated ? { key1 = "value1updated", key2 = "value2" } : { key1 = "value1" }
  aws_arn = "arn:${data.aws_partition.current.partition}:imagebuilder:${data.aws_region.current.name}:aws"
}
